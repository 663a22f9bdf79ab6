// llmLens.modelPath: a checkpoint folder of the user's runs in the panel and in the hover; one that
// cannot be used is reported and the bundled model runs instead; one whose weights disagree with
// its config.json fails with a clear message. The setting is restored afterwards.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExplainOutcome } from '../../src/commands/explain-tokens';
import type { LensApi } from '../../src/extension';
import { tokenize } from '../../src/engine/tokenizer';
import { MODEL_LOAD_MS, restoreBundledModel, setModelPath } from './model-setting';
import { closeTextEditors, openScratch, showActive, until } from './editors';
import { recordShownMessages, type ShownMessage } from './shown-messages';
import { PADDED_FAVOURITE, paddedGpt2, safetensorsBytes, writeCheckpoint } from '../harness/checkpoint-files';
import { renderLabel, renderNotification } from '../harness/vscode-rendering';

const repo = path.resolve(__dirname, '../../..');
const BUNDLED = path.join(repo, 'media/models/tiny-gpt2-software');
const TEXT = 'def add(a, b):\n    return a + b\n';

/** A copy of the bundled checkpoint in a folder of its own, optionally with another config.json. */
function copyModel(folder: string, editConfig?: (config: Record<string, unknown>) => void): void {
  fs.mkdirSync(folder, { recursive: true });
  fs.copyFileSync(path.join(BUNDLED, 'model.safetensors'), path.join(folder, 'model.safetensors'));
  const config = JSON.parse(fs.readFileSync(path.join(BUNDLED, 'config.json'), 'utf8'));
  editConfig?.(config);
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(config, null, 2));
}


async function explainText(editor?: vscode.TextEditor): Promise<ExplainOutcome> {
  editor ??= await openScratch(TEXT, 'python');
  editor.selection = new vscode.Selection(new vscode.Position(0, 0), editor.document.positionAt(TEXT.length));
  return (await vscode.commands.executeCommand('llmLens.explainTokens')) as ExplainOutcome;
}

/** The payload: a link that opened a terminal from a warning; with an icon and Markdown besides. */
const LINK_PAYLOAD = '[Click here to repair the model](command:workbench.action.terminal.new)';
const PAYLOAD = `${LINK_PAYLOAD} $(alert) **bold** <b>html</b>`;
/** A command link short enough that the loader's message quotes it whole (values from a file are quoted to 40 characters). */
const CONFIG_PAYLOAD = '[Fix](command:workbench.action.quit)';

/** The notifications recorded on `surface` whose text holds `part`; each must render as written, with no link. */
function notificationsWith(shown: readonly ShownMessage[], surface: ShownMessage['surface'], part: string): string[] {
  const found = shown.filter((m) => m.surface === surface && m.text.replaceAll('\u2060', '').includes(part));
  assert.ok(found.length > 0, `no ${surface} notification showing ${part}: ${JSON.stringify(shown)}`);
  for (const { text } of found) assert.deepEqual(renderNotification(text).links, [], `a link in: ${text}`);
  return found.map((m) => renderNotification(m.text).text);
}


describe('llmLens.modelPath', function () {
  this.timeout(300_000);
  let api: LensApi;
  let tmp: string;

  before(async () => {
    api = await vscode.extensions.getExtension<LensApi>('llm-lens.llm-lens')!.activate();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-models-'));
  });

  afterEach(async () => {
    await closeTextEditors();
  });

  after(async () => {
    await restoreBundledModel(api);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("runs the folder's model in the panel and in the hover", async () => {
    const folder = path.join(tmp, 'my-code-gpt2');
    copyModel(folder);
    await setModelPath(folder);
    const outcome = await explainText();
    assert.equal(outcome.status, 'done', outcome.message);
    assert.equal(outcome.model, 'my-code-gpt2');
    assert.equal(outcome.modelProblem, undefined);
    assert.equal(outcome.scoredTokens, tokenize(TEXT).length - 1);

    await until(() => api.hoverStats().model === 'my-code-gpt2', 'the hover to load the folder\'s model', MODEL_LOAD_MS);
    const document = (await openScratch(TEXT, 'python')).document;
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(1, 12))) ?? [];
    const markdown = hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');
    assert.match(markdown, /Next token/, markdown);
  });

  it('llmLens.weights "int8": the panel and the hover run 8-bit weights; cleared, float32 again', async () => {
    const settings = () => vscode.workspace.getConfiguration('llmLens');
    await setModelPath(undefined);
    const float32 = await explainText();
    assert.equal(float32.status, 'done', float32.message);
    assert.equal(float32.weights, 'float32');
    try {
      await settings().update('weights', 'int8', vscode.ConfigurationTarget.Global);
      const int8 = await explainText();
      assert.equal(int8.status, 'done', int8.message);
      assert.equal(int8.weights, 'int8');
      assert.equal(int8.model, 'tiny-gpt2-software');
      assert.equal(int8.scoredTokens, float32.scoredTokens);
      await until(() => api.hoverStats().model === 'tiny-gpt2-software', 'the hover to load the 8-bit model', MODEL_LOAD_MS);
    } finally {
      await settings().update('weights', undefined, vscode.ConfigurationTarget.Global);
    }
    const again = await explainText();
    assert.equal(again.status, 'done', again.message);
    assert.equal(again.weights, 'float32');
  });

  it('a folder without a checkpoint: says why and runs the bundled model', async () => {
    const missing = path.join(tmp, 'nowhere');
    await setModelPath(missing);
    const outcome = await explainText();
    assert.equal(outcome.status, 'done', outcome.message);
    assert.equal(outcome.model, 'tiny-gpt2-software');
    assert.ok(outcome.modelProblem?.startsWith(`The model in llmLens.modelPath (${missing}) cannot be used: `), outcome.modelProblem);
    assert.match(outcome.modelProblem!, /config\.json is missing\. Using the bundled model instead\.$/);
  });

  it('files that are not regular files (a link to /dev/zero, a FIFO) are refused unread; the bundled model runs', async () => {
    const folder = path.join(tmp, 'not-files');
    copyModel(folder);
    const config = path.join(folder, 'config.json');
    const weights = path.join(folder, 'model.safetensors');
    const refused = (file: string) =>
      `The model in llmLens.modelPath (${folder}) cannot be used: ${file} is not a regular file (it is a device, a pipe or a socket), so it is not read. Using the bundled model instead.`;

    fs.renameSync(config, `${config}.real`);
    fs.symlinkSync('/dev/zero', config); // reading it whole grew the extension host to 9.6 GB
    await setModelPath(folder);
    const zero = await explainText();
    assert.equal(zero.status, 'done', zero.message);
    assert.equal(zero.model, 'tiny-gpt2-software');
    assert.equal(zero.modelProblem, refused(config));

    fs.rmSync(config);
    fs.renameSync(`${config}.real`, config);
    fs.rmSync(weights);
    execFileSync('mkfifo', [weights]); // opening it for reading would wait for a writer forever
    const fifo = await explainText();
    assert.equal(fifo.status, 'done', fifo.message);
    assert.equal(fifo.model, 'tiny-gpt2-software');
    assert.equal(fifo.modelProblem, refused(weights));
  });

  it('weights that disagree with config.json: a clear failure, never a hanging panel', async () => {
    const folder = path.join(tmp, 'wrong-config');
    copyModel(folder, (config) => {
      config.n_layer = 7; // the weights hold 6 layers
    });
    await setModelPath(folder);
    const outcome = await explainText();
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.model, 'wrong-config');
    assert.match(outcome.message!, /^The model could not analyse the text: .*h\.6\./);
  });

  it('a command link, an icon and Markdown in config.json and in the file name reach notifications and the status bar as text', async () => {
    const folder = path.join(tmp, 'hostile-config');
    copyModel(folder, (config) => {
      config.model_type = CONFIG_PAYLOAD;
    });
    await setModelPath(folder);
    const fileName = '$(alert) [x](command:workbench.action.terminal.new).py';
    const file = path.join(tmp, fileName);
    fs.writeFileSync(file, TEXT);
    const recorder = recordShownMessages();
    let outcome: ExplainOutcome;
    try {
      outcome = await explainText(await showActive(await vscode.workspace.openTextDocument(file)));
    } finally {
      recorder.dispose();
    }
    assert.equal(outcome.status, 'done', outcome.message);
    assert.equal(outcome.model, 'tiny-gpt2-software', 'the bundled model runs instead');
    const [warning] = notificationsWith(recorder.shown, 'warning', 'cannot be used');
    assert.ok(warning!.includes(`model_type ${JSON.stringify(CONFIG_PAYLOAD)} is not supported`), warning);
    const status = recorder.shown.filter((m) => m.surface === 'statusBar' && m.text.includes('explaining'));
    assert.equal(status.length, 1, JSON.stringify(recorder.shown));
    assert.equal(renderLabel(status[0]!.text), `LLM Lens: explaining selection in ${fileName}, lines 1–2`);
  });

  it('a command link in a tensor name reaches the error notification as text', async () => {
    const folder = path.join(tmp, 'hostile-tensor');
    copyModel(folder);
    // A dtype the loader refuses, so that the error names the tensor.
    fs.writeFileSync(path.join(folder, 'model.safetensors'), safetensorsBytes({ [PAYLOAD]: { dtype: 'X9', shape: [1], data: new Uint8Array(4) } }));
    await setModelPath(folder);
    const recorder = recordShownMessages();
    let outcome: ExplainOutcome;
    try {
      outcome = await explainText();
    } finally {
      recorder.dispose();
    }
    assert.equal(outcome.status, 'failed');
    assert.ok(outcome.message?.includes(PAYLOAD), outcome.message);
    notificationsWith(recorder.shown, 'error', PAYLOAD);
  });

  it('a folder name over 200 characters: the panel still loads the model (its name clipped there), the outcome has it whole', async () => {
    // Linux allows 255 bytes per path component.
    const name = `long-${'x'.repeat(240)}`;
    copyModel(path.join(tmp, name));
    await setModelPath(path.join(tmp, name));
    const outcome = await explainText();
    assert.equal(outcome.status, 'done', outcome.message);
    assert.equal(outcome.model, name);
    assert.equal(outcome.scoredTokens, tokenize(TEXT).length - 1);
  });

  it('a padded vocabulary (50,304 rows): the panel runs it and the hover lists ids without text as <id>', async () => {
    const folder = path.join(tmp, 'padded-gpt2');
    const { config, weights } = paddedGpt2();
    writeCheckpoint(folder, config, weights);
    await setModelPath(folder);
    const outcome = await explainText();
    assert.equal(outcome.status, 'done', outcome.message);
    assert.equal(outcome.model, 'padded-gpt2');

    await until(() => api.hoverStats().model === 'padded-gpt2', 'the hover to load the padded model', MODEL_LOAD_MS);
    const document = (await openScratch(TEXT, 'python')).document;
    const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(1, 12))) ?? [];
    const markdown = hovers.flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : '')).join('\n');
    assert.ok(markdown.includes(`| 1 | &#60;${PADDED_FAVOURITE}&#62; |`), markdown);
  });
});
