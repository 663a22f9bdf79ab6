// Models from the Hugging Face hub inside the real VS Code (code-server): the local hub of
// test/harness/hub-server.ts runs in this extension host, and HF_ENDPOINT, HF_HUB_CACHE and
// HF_HOME point the extension at it and at a fresh cache (the extension reads them at each use).
// Choose Model's real quick pick picks a fixture from that hub; the download shows its
// progress; then the panel and the hover run that model. A gated model asks for a token; bad
// input is one clear message and leaves the model that was running.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExplainOutcome } from '../../src/commands/explain-tokens';
import type { LensApi } from '../../src/extension';
import type { ChooseModelOutcome } from '../../src/model-choice/model-choice';
import { sha256, startFakeHub, startForwardProxy, TEST_TOKEN, type FakeHub } from '../harness/hub-server';
import { closeTextEditors, openScratch, until } from './editors';
import { lensHover } from './lens-hover';
import { recordShownMessages } from './shown-messages';

const repo = path.resolve(__dirname, '../../..');
const QWEN3 = path.join(repo, 'test/fixtures/models/tiny-random-qwen3');
const ID = 'llm-lens-test/tiny-qwen3';
const GATED = 'llm-lens-test/gated-qwen3';
const TEXT = 'def add(a, b):\n    return a + b\n';
const MODEL_LOAD_MS = 120_000;
const HUB_ENV = ['HF_ENDPOINT', 'HF_HUB_CACHE', 'HF_HOME', 'HF_TOKEN', 'HF_HUB_OFFLINE', 'HUGGING_FACE_HUB_TOKEN'] as const;

type WindowFunctions = Record<string, (...args: unknown[]) => unknown>;

/** Replaces a vscode.window function for the test (the extension shares this API object); returns the undo. */
function wrapWindow(name: string, replacement: (original: (...args: unknown[]) => unknown, ...args: unknown[]) => unknown): () => void {
  const window = vscode.window as unknown as WindowFunctions;
  const original = window[name]!;
  window[name] = (...args: unknown[]) => replacement((...a: unknown[]) => original.apply(vscode.window, a), ...args);
  return () => {
    window[name] = original;
  };
}

async function setting(name: 'model' | 'modelPath', value: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('llmLens').update(name, value, vscode.ConfigurationTarget.Global);
}

const modelSetting = () => vscode.workspace.getConfiguration('llmLens').get<string>('model');

async function explain(): Promise<ExplainOutcome> {
  const editor = await openScratch(TEXT, 'python');
  editor.selection = new vscode.Selection(new vscode.Position(0, 0), editor.document.positionAt(TEXT.length));
  return (await vscode.commands.executeCommand('llmLens.explainTokens')) as ExplainOutcome;
}

describe('models from the Hugging Face hub', function () {
  this.timeout(300_000);
  let api: LensApi;
  let hub: FakeHub;
  let home: string;
  const savedEnv = new Map<string, string | undefined>();

  before(async () => {
    api = await vscode.extensions.getExtension<LensApi>('llm-lens.llm-lens')!.activate();
    hub = await startFakeHub();
    hub.addFixture(ID, QWEN3);
    hub.addFixture(GATED, QWEN3, { gated: true });
    hub.addRepo('llm-lens-test/pickled', { 'config.json': fs.readFileSync(path.join(QWEN3, 'config.json')), 'pytorch_model.bin': 'pickle' });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-hub-ext-'));
    for (const name of HUB_ENV) savedEnv.set(name, process.env[name]);
    Object.assign(process.env, { HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: path.join(home, 'hub'), HF_HOME: home, HF_TOKEN: '', HF_HUB_OFFLINE: '' });
  });

  afterEach(async () => {
    await closeTextEditors();
    // The panel too: left open, it is what the editor area focuses once the last text editor has
    // closed, and that focus lands a moment later, on the webview's frame. A quick pick opened in
    // that moment (the next test's) loses focus and closes as if dismissed.
    await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs));
    await until(() => vscode.window.tabGroups.all.every((g) => g.tabs.length === 0), 'no tabs');
    for (const key of Object.keys(hub.faults) as (keyof typeof hub.faults)[]) delete hub.faults[key];
  });

  after(async () => {
    await setting('model', undefined);
    await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs));
    for (const [name, value] of savedEnv) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await hub.close();
    fs.rmSync(home, { recursive: true, force: true });
    await until(() => api.hoverStats().model === 'tiny-gpt2-software', 'the hover to load the bundled model again', MODEL_LOAD_MS);
  });

  it('Choose Model picks a model from the local hub in its quick pick; the download shows its progress; then the panel and the hover use it', async () => {
    // The quick pick is VS Code's own; the test types into it and accepts, as a person would.
    let quickPick: vscode.QuickPick<vscode.QuickPickItem> | undefined;
    const progress: string[] = [];
    const undo = [
      wrapWindow('createQuickPick', (original) => (quickPick = original() as vscode.QuickPick<vscode.QuickPickItem>)),
      wrapWindow('withProgress', (original, options, task) =>
        original(options, (reporter: vscode.Progress<{ message?: string }>, token: vscode.CancellationToken) =>
          (task as (p: vscode.Progress<{ message?: string }>, t: vscode.CancellationToken) => unknown)({ report: (value) => { if (value.message) progress.push(value.message); reporter.report(value); } }, token),
        ),
      ),
    ];
    try {
      const chosen = vscode.commands.executeCommand<ChooseModelOutcome>('llmLens.chooseModel');
      await until(() => quickPick !== undefined && !quickPick.busy && quickPick.items.length > 0, 'the Choose Model quick pick');
      const labels = quickPick!.items.map((item) => item.label);
      assert.ok(labels.some((l) => l.includes('tiny-gpt2-software')), labels.join(' | '));
      for (const curated of ['openai-community/gpt2', 'Qwen/Qwen3-0.6B', 'HuggingFaceTB/SmolLM2-135M']) assert.ok(labels.some((l) => l.endsWith(curated)), `${curated} in ${labels.join(' | ')}`);
      assert.ok(quickPick!.items.some((item) => item.label.endsWith('Qwen/Qwen3-0.6B') && /download · needs about [\d.]+ GB of memory/.test(item.description ?? '')));
      assert.ok(quickPick!.items.some((item) => item.label === '$(lock) meta-llama/Llama-3.2-1B'), 'the gated model is marked');
      quickPick!.value = ID;
      await until(() => quickPick!.items[0]?.label.endsWith(ID) === true, 'the typed id to be offered for download');
      quickPick!.activeItems = [quickPick!.items[0]!];
      await new Promise((resolve) => setTimeout(resolve, 200));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      const outcome = await chosen;
      assert.deepEqual(outcome, { status: 'chosen', value: ID });
    } finally {
      for (const u of undo) u();
    }
    assert.equal(modelSetting(), ID);
    assert.ok(progress.some((m) => /^[\d.]+ [kM]?B of [\d.]+ MB/.test(m)), `progress messages: ${progress.join(' | ')}`);
    const snapshot = path.join(home, 'hub', 'models--llm-lens-test--tiny-qwen3', 'snapshots', hub.repo(ID).commit);
    assert.ok(fs.lstatSync(path.join(snapshot, 'model.safetensors')).isSymbolicLink());

    const outcome = await explain();
    assert.equal(outcome.status, 'done', outcome.message);
    assert.equal(outcome.model, ID, 'the panel runs the hub model, named by its id');
    assert.equal(outcome.modelProblem, undefined);
    assert.ok(outcome.scoredTokens! > 0);

    await until(() => api.hoverStats().model === ID, 'the hover to load the hub model', MODEL_LOAD_MS);
    const document = (await openScratch(TEXT, 'python')).document;
    assert.match((await lensHover(document.uri, new vscode.Position(1, 12))) ?? '', /Next token/);
    const status = await api.modelStatus();
    assert.equal(status.text, `$(hubot) ${ID}`);
    assert.match(status.tooltip, new RegExp(`LLM Lens model: ${ID} \\(${snapshot.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`));
  });

  it('the other picks: Enter a model id…, Open a folder…, and the bundled model', async () => {
    let quickPick: vscode.QuickPick<vscode.QuickPickItem> | undefined;
    const pick = async (label: RegExp): Promise<ChooseModelOutcome> => {
      quickPick = undefined;
      const chosen = vscode.commands.executeCommand<ChooseModelOutcome>('llmLens.chooseModel');
      await until(() => quickPick !== undefined && !quickPick.busy && quickPick.items.length > 0, 'the Choose Model quick pick');
      const item = quickPick!.items.find((i) => label.test(i.label));
      assert.ok(item, `${label} in ${quickPick!.items.map((i) => i.label).join(' | ')}`);
      quickPick!.activeItems = [item];
      await new Promise((resolve) => setTimeout(resolve, 200));
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return (await chosen)!;
    };
    const folder = path.join(home, 'a-folder-model');
    fs.mkdirSync(folder);
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(QWEN3, file), path.join(folder, file));
    const undo = [
      wrapWindow('createQuickPick', (original) => (quickPick = original() as vscode.QuickPick<vscode.QuickPickItem>)),
      wrapWindow('showInputBox', (_original, options) => {
        const validate = (options as vscode.InputBoxOptions).validateInput!;
        assert.match(String(validate('not/a/model/id')), /is not a Hugging Face model id/);
        assert.equal(validate(ID), undefined);
        return Promise.resolve(ID);
      }),
      wrapWindow('showOpenDialog', () => Promise.resolve([vscode.Uri.file(folder)])),
    ];
    try {
      // The model downloaded by the first test is listed as on this computer.
      assert.deepEqual(await pick(/^\$\(edit\) Enter a model id…$/), { status: 'chosen', value: ID });
      assert.deepEqual(await pick(/^\$\(folder-opened\) Open a folder…$/), { status: 'chosen', value: folder });
      assert.equal((await explain()).model, 'a-folder-model');
      assert.ok(quickPick!.items.some((i) => i.label === `$(database) ${ID}` && /in the Hugging Face cache/.test(i.description ?? '')), 'the cached model is listed');
      assert.deepEqual(await pick(/tiny-gpt2-software$/), { status: 'chosen', value: '' });
      assert.equal((await explain()).model, 'tiny-gpt2-software');
    } finally {
      for (const u of undo) u();
    }
  });

  it('a gated model: the message offers a token, the token goes to secret storage, and the download succeeds', async () => {
    const asked: string[] = [];
    const undo = [
      wrapWindow('showErrorMessage', (original, message, ...actions) => {
        asked.push(String(message));
        return actions.includes('Enter Token') ? Promise.resolve('Enter Token') : original(message, ...actions);
      }),
      wrapWindow('showInputBox', (_original, options) => {
        assert.equal((options as vscode.InputBoxOptions).password, true, 'the token box hides what is typed');
        return Promise.resolve(TEST_TOKEN);
      }),
    ];
    try {
      const outcome = await vscode.commands.executeCommand<ChooseModelOutcome>('llmLens.chooseModel', GATED);
      assert.deepEqual(outcome, { status: 'chosen', value: GATED });
    } finally {
      for (const u of undo) u();
    }
    assert.equal(asked.length, 1);
    assert.match(asked[0]!, /^LLM Lens: llm-lens-test\/gated-qwen3 is gated or private: the hub wants a Hugging Face access token to download it$/);
    const settings = JSON.stringify(vscode.workspace.getConfiguration('llmLens'));
    assert.ok(!settings.includes(TEST_TOKEN), 'the token is in no setting');
    assert.ok(hub.requests.some((r) => r.path.includes(GATED) && r.authorization === `Bearer ${TEST_TOKEN}`));
    // The next download of a gated model reads the stored token: no question.
    fs.rmSync(path.join(home, 'hub', 'models--llm-lens-test--gated-qwen3'), { recursive: true });
    const again = await vscode.commands.executeCommand<ChooseModelOutcome>('llmLens.chooseModel', GATED);
    assert.equal(again.status, 'chosen');
  });

  it('bad input: each a clear message, and the model that was running keeps running', async () => {
    await vscode.commands.executeCommand('llmLens.chooseModel', ID);
    await until(() => api.hoverStats().model === ID, 'the hub model in the hover', MODEL_LOAD_MS);
    const blobs = path.join(home, 'hub', 'models--llm-lens-test--other', 'blobs');
    hub.addFixture('llm-lens-test/other', QWEN3, { extra: { 'generation_config.json': '{"do_sample": false}' } });
    const weights = sha256(fs.readFileSync(path.join(QWEN3, 'model.safetensors')));
    const cases: { value: string; before?: () => void; message: RegExp }[] = [
      { value: 'Qwen//Qwen3', message: /^LLM Lens: Cannot use Qwen\/\/Qwen3 as a model: it is not a folder, and "Qwen\/\/Qwen3" is not a Hugging Face model id/ },
      { value: 'llm-lens-test/no-such-model', message: /^LLM Lens: Could not download llm-lens-test\/no-such-model: llm-lens-test\/no-such-model was not found on the hub/ },
      { value: 'llm-lens-test/pickled', message: /^LLM Lens: Could not download llm-lens-test\/pickled: .*pytorch_model\.bin, a Python pickle, which LLM Lens never downloads or loads/ },
      { value: 'llm-lens-test/other', before: () => (hub.faults.html = new Set(['model.safetensors'])), message: /answered with a web page instead of a file/ },
      { value: 'llm-lens-test/other', before: () => (hub.faults.cut = { file: 'model.safetensors', afterBytes: 4_000_000, times: 1 }), message: /The download of model\.safetensors was interrupted at (?:[3],\d{3},\d{3}|4,000,000) of [\d,]+ bytes .*Try again: it resumes where it stopped$/ }, // at most the 4,000,000 sent; see hub-download.test.ts
      {
        value: 'llm-lens-test/other',
        // The partial file leads to /dev/full: the disk is full from the first byte written.
        before: () => {
          fs.rmSync(path.join(blobs, `${weights}.incomplete`), { force: true });
          fs.symlinkSync('/dev/full', path.join(blobs, `${weights}.incomplete`));
        },
        message: /The disk is full: model\.safetensors stopped at 0 of/,
      },
    ];
    for (const { value, before, message } of cases) {
      before?.();
      const recorder = recordShownMessages();
      let outcome: ChooseModelOutcome;
      try {
        outcome = (await vscode.commands.executeCommand<ChooseModelOutcome>('llmLens.chooseModel', value))!;
      } finally {
        recorder.dispose();
      }
      assert.equal(outcome.status, 'failed', value);
      const errors = recorder.shown.filter((m) => m.surface === 'error').map((m) => m.text.replaceAll('\u2060', ''));
      assert.equal(errors.length, 1, `${value}: ${JSON.stringify(recorder.shown)}`);
      assert.match(errors[0]!, message);
      assert.equal(modelSetting(), ID, 'the setting is unchanged');
      assert.equal(api.hoverStats().model, ID, 'the hover still runs the model it ran');
      for (const key of Object.keys(hub.faults) as (keyof typeof hub.faults)[]) delete hub.faults[key];
    }
    // After the cut, the next try resumes and succeeds.
    fs.rmSync(path.join(blobs, `${weights}.incomplete`), { force: true });
    assert.equal((await vscode.commands.executeCommand<ChooseModelOutcome>('llmLens.chooseModel', 'llm-lens-test/other'))!.status, 'chosen');
  });

  it("downloads go through VS Code's http.proxy", async () => {
    // The hub and its CDN under names only the proxy resolves: without the proxy, no download.
    const hosts = ['hub.llm-lens.test', 'cdn.llm-lens.test'];
    const remote = await startFakeHub({ hubHost: hosts[0], cdnHost: hosts[1] });
    remote.addFixture('llm-lens-test/through-proxy', QWEN3);
    const proxy = await startForwardProxy(hosts);
    const http = vscode.workspace.getConfiguration('http');
    process.env.HF_ENDPOINT = remote.endpoint;
    try {
      const recorder = recordShownMessages();
      const direct = await vscode.commands.executeCommand<ChooseModelOutcome>('llmLens.chooseModel', 'llm-lens-test/through-proxy');
      recorder.dispose();
      assert.equal(direct?.status, 'failed', 'the names do not resolve without the proxy');
      assert.match(recorder.shown.find((m) => m.surface === 'error')?.text ?? '', /Cannot reach http:\/\/hub\.llm-lens\.test:\d+: /);

      await http.update('proxy', proxy.url, vscode.ConfigurationTarget.Global);
      const outcome = await vscode.commands.executeCommand<ChooseModelOutcome>('llmLens.chooseModel', 'llm-lens-test/through-proxy');
      assert.equal(outcome?.status, 'chosen');
      const tunnels = new Set(proxy.forwarded);
      assert.ok(tunnels.has(`CONNECT ${new URL(remote.endpoint).host}`), `the hub through the proxy: ${[...tunnels].join(', ')}`);
      assert.ok(tunnels.has(`CONNECT ${new URL(remote.cdnOrigin).host}`), 'the weights too');
    } finally {
      process.env.HF_ENDPOINT = hub.endpoint;
      await http.update('proxy', undefined, vscode.ConfigurationTarget.Global);
      await proxy.close();
      await remote.close();
    }
  });

  it('offline: llmLens.model names a cached model and it loads with no network; one not in the cache runs the bundled model and says why', async () => {
    process.env.HF_HUB_OFFLINE = '1';
    process.env.HF_ENDPOINT = 'http://127.0.0.1:9';
    try {
      hub.requests.length = 0;
      const chosen = await vscode.commands.executeCommand<ChooseModelOutcome>('llmLens.chooseModel', ID);
      assert.deepEqual(chosen, { status: 'chosen', value: ID });
      const outcome = await explain();
      assert.equal(outcome.model, ID);
      assert.equal(hub.requests.length, 0);

      await setting('model', 'llm-lens-test/never-downloaded');
      const fallback = await explain();
      assert.equal(fallback.status, 'done', fallback.message);
      assert.equal(fallback.model, 'tiny-gpt2-software');
      assert.match(fallback.modelProblem!, /^The model in llmLens\.model \(llm-lens-test\/never-downloaded\) cannot be used: llm-lens-test\/never-downloaded is not in the Hugging Face cache \(.*\) yet: download it with “LLM Lens: Choose Model…”\. Using the bundled model instead\.$/);
      assert.match((await api.modelStatus()).text, /^\$\(warning\) tiny-gpt2-software$/);
    } finally {
      process.env.HF_HUB_OFFLINE = '';
      process.env.HF_ENDPOINT = hub.endpoint;
    }
  });
});
