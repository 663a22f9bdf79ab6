// Explain Tokens inside the real extension host (code-server): the model runs in the panel's
// webview (WASM in the test browser), the host paints what it sends back. The tests' documents are
// scratch files outside the workspace (editors.ts): the workspace fixture is never changed.
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { ExplainOutcome } from '../../src/commands/explain-tokens';
import { countTokens, loadEncoding, tokenize, tokenizeInSlices } from '../../src/engine/tokenizer';
import type { LensApi } from '../../src/extension';
import { ExplainTokensCommand } from '../../src/commands/explain-tokens';
import { TokenDecorations } from '../../src/decorations/token-decorations';
import { Reporter } from '../../src/log';
import { resolveModel } from '../../src/model-location';
import { PanelHost } from '../../src/panel/panel-host';
import { closeTextEditors, discard, openScratch, openUntitled, showActive, until } from './editors';

const EXTENSION_ID = 'llm-lens.llm-lens';

async function lensApi(): Promise<LensApi> {
  const extension = vscode.extensions.getExtension<LensApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not loaded`);
  return extension.activate();
}

function selectAll(editor: vscode.TextEditor): void {
  const document = editor.document;
  editor.selection = new vscode.Selection(new vscode.Position(0, 0), document.positionAt(document.getText().length));
}

async function explain(): Promise<ExplainOutcome> {
  return (await vscode.commands.executeCommand('llmLens.explainTokens')) as ExplainOutcome;
}

/** Boundary ranges a tokenization of `text` at document offset `base` should paint (empty spans paint nothing). */
function expectedBoundaries(text: string, base: number): Array<[number, number]> {
  return tokenize(text)
    .filter((t) => t.end > t.start)
    .map((t) => [base + t.start, base + t.end]);
}

function heatRanges(api: LensApi, uri: vscode.Uri): Array<[number, number]> {
  return Object.values(api.decorations(uri)?.heat ?? {}).flat();
}

function panelTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('LLM Lens'));
}

/** Leaves the workbench as the suite found it: no editors, no LLM Lens panel. */
async function closeEverything(): Promise<void> {
  await closeTextEditors();
  await vscode.window.tabGroups.close(panelTabs());
}

async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('llmLens').update(key, value, vscode.ConfigurationTarget.Global);
}

describe('Explain Tokens', function () {
  let api: LensApi;

  before(async () => {
    api = await lensApi();
  });

  afterEach(async () => {
    await closeTextEditors();
  });

  after(async () => {
    await closeEverything();
  });

  it('explains a selection: panel, every token decorated, the model scores all but the first', async () => {
    const [file] = await vscode.workspace.findFiles('sample.py');
    const editor = await showActive(await vscode.workspace.openTextDocument(file!));
    const document = editor.document;
    const start = document.lineAt(12).range.start; // def fibonacci(n):
    const end = document.lineAt(16).range.end;
    editor.selection = new vscode.Selection(start, end);
    const selected = document.getText(editor.selection);

    const outcome = await explain();
    assert.equal(outcome.status, 'done', outcome.message);
    const tokens = tokenize(selected);
    assert.equal(outcome.totalTokens, tokens.length);
    assert.equal(outcome.shownTokens, tokens.length);
    assert.equal(outcome.scoredTokens, tokens.length - 1);
    await Promise.all([loadEncoding('cl100k_base'), loadEncoding('o200k_base')]);
    assert.deepEqual(outcome.counts, { r50k_base: tokens.length, cl100k_base: countTokens(selected, 'cl100k_base'), o200k_base: countTokens(selected, 'o200k_base') });
    assert.equal(outcome.source?.kind, 'selection');
    assert.equal(outcome.source?.label, 'Selection in sample.py, lines 13–17');
    assert.equal(panelTabs().length, 1, 'one LLM Lens panel');

    const base = document.offsetAt(start);
    const painted = api.decorations(document.uri);
    assert.ok(painted);
    assert.deepEqual(painted.boundaries, expectedBoundaries(selected, base));
    // Heat on every scored token with a visible span: all but the first.
    assert.deepEqual(heatRanges(api, document.uri).sort((a, b) => a[0] - b[0]), expectedBoundaries(selected, base).slice(1));
  });

  it('decorations follow edits before the text and drop only the token an edit touches', async () => {
    const editor = await openScratch('# intro\nvalue = compute(alpha, beta)\n');
    const document = editor.document;
    const line = document.lineAt(1);
    editor.selection = new vscode.Selection(line.range.start, line.range.end);
    assert.equal((await explain()).status, 'done');
    const before = api.decorations(document.uri)!.boundaries;

    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), 'xyz'));
    assert.deepEqual(api.decorations(document.uri)!.boundaries, before.map(([s, e]) => [s + 3, e + 3]), 'shifted by the insertion');

    const computeAt = document.getText().indexOf('compute');
    await editor.edit((edit) => edit.insert(document.positionAt(computeAt + 2), 'Q'));
    const after = api.decorations(document.uri)!.boundaries;
    assert.equal(after.length, before.length - 1, 'the edited token lost its decoration');
    assert.ok(after.every(([s, e]) => !(s <= computeAt + 2 && computeAt + 2 < e)));

    await editor.edit((edit) => edit.delete(new vscode.Range(new vscode.Position(0, 0), document.positionAt(document.getText().length))));
    assert.equal(api.decorations(document.uri), undefined, 'cleared when the text is gone');
  });

  it('toggle heat map, clear decorations, and closing the editor clear what is painted', async () => {
    const editor = await openScratch('for item in items:\n    print(item)\n', 'python');
    selectAll(editor);
    assert.equal((await explain()).status, 'done');
    const uri = editor.document.uri;
    assert.ok(heatRanges(api, uri).length > 0);

    await vscode.commands.executeCommand('llmLens.toggleHeatMap');
    assert.equal(vscode.workspace.getConfiguration('llmLens').get('heatMap.enabled'), false);
    assert.deepEqual(heatRanges(api, uri), [], 'heat map off');
    assert.ok(api.decorations(uri)!.boundaries.length > 0, 'boundaries stay');
    await vscode.commands.executeCommand('llmLens.toggleHeatMap');
    assert.ok(heatRanges(api, uri).length > 0, 'heat map back on');

    await setSetting('heatMap.mode', 'surprisal');
    assert.ok(Object.keys(api.decorations(uri)!.heat).every((bucket) => /^s[0-4]$/.test(bucket)));
    await setSetting('heatMap.mode', undefined);

    await vscode.commands.executeCommand('llmLens.clearDecorations');
    assert.equal(api.decorations(uri), undefined);

    selectAll(editor);
    assert.equal((await explain()).status, 'done');
    assert.ok(api.decorations(uri));
    await discard(editor.document);
    assert.equal(api.decorations(uri), undefined, 'closing the tab clears its decorations');
  });

  it('CRLF text: offsets count the carriage returns and the decorations sit on the tokens', async () => {
    const content = 'first line\r\nsecond line\r\n\r\nthird line\r\n';
    const editor = await openScratch(content);
    assert.equal(editor.document.eol, vscode.EndOfLine.CRLF);
    assert.equal(editor.document.getText(), content);
    selectAll(editor);
    const outcome = await explain();
    assert.equal(outcome.status, 'done', outcome.message);
    assert.equal(outcome.totalTokens, tokenize(content).length);
    assert.deepEqual(api.decorations(editor.document.uri)!.boundaries, expectedBoundaries(content, 0));
  });

  it('a selection of only emoji: byte-level tokens, scored, with no decoration on empty spans', async () => {
    const content = '🦜🎉🚀';
    const editor = await openScratch(content);
    selectAll(editor);
    const outcome = await explain();
    assert.equal(outcome.status, 'done', outcome.message);
    const tokens = tokenize(content);
    assert.ok(tokens.some((t) => t.partial));
    assert.equal(editor.document.getText(), content);
    assert.equal(outcome.totalTokens, tokens.length, JSON.stringify(outcome));
    assert.equal(outcome.scoredTokens, tokens.length - 1);
    const painted = api.decorations(editor.document.uri)!;
    assert.deepEqual(painted.boundaries, expectedBoundaries(content, 0));
    for (const [s, e] of painted.boundaries) assert.ok(/^\p{Extended_Pictographic}+$/u.test(content.slice(s, e)), 'a decoration covers whole emoji');
  });

  it('an empty document: a clear message, no run, no new panel', async () => {
    await openScratch('');
    const panelsBefore = panelTabs().length;
    const outcome = await explain();
    assert.equal(outcome.status, 'nothing');
    assert.equal(outcome.message, 'Nothing to explain: the document is empty.');
    assert.equal(panelTabs().length, panelsBefore);
    assert.deepEqual(api.lastExplainOutcome(), outcome);
  });

  it('no selection: a short document is taken whole, a long one by the paragraph at the cursor', async () => {
    const short = await openScratch('alpha beta\n\ngamma delta\n');
    short.selection = new vscode.Selection(new vscode.Position(2, 1), new vscode.Position(2, 1));
    const whole = await explain();
    assert.equal(whole.status, 'done');
    assert.equal(whole.source?.kind, 'document');
    assert.deepEqual([whole.start, whole.end], [0, short.document.getText().length]);

    const paragraph = 'The model reads this paragraph.\nIt has two lines.';
    const long = await openScratch(`${'filler text. '.repeat(200)}\n\n${paragraph}\n\n${'more filler. '.repeat(200)}\n`);
    const at = long.document.getText().indexOf('two lines');
    long.selection = new vscode.Selection(long.document.positionAt(at), long.document.positionAt(at));
    const picked = await explain();
    assert.equal(picked.status, 'done');
    assert.equal(picked.source?.kind, 'paragraph');
    assert.equal(long.document.getText().slice(picked.start, picked.end), paragraph);
    assert.match(picked.source!.label, /^Paragraph at the cursor in lens-test-\d+\.txt, lines 3–4 \(nothing was selected\)$/);
  });

  it('a 1 MB document: capped view, the model reads the last 512 tokens, nothing hangs', async function () {
    this.timeout(120_000);
    // Varied lines: repeated ones would all hit the tokenizer's cache and cost next to nothing.
    let content = '';
    for (let i = 0; content.length < 1_000_000; i++) {
      content += `def handler_${i}(request, response):\n    """Handle request ${i}."""\n    return response.send(request.body_${i % 97})\n\n`;
    }
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const editor = await openScratch(content, 'python');
    const opened = loop.max / 1e6;
    selectAll(editor);
    const started = Date.now();
    const outcome = await explain();
    loop.disable();
    console.log(`1 MB: longest extension-host stall ${(loop.max / 1e6).toFixed(0)} ms (opening ${opened.toFixed(0)} ms)`);
    // Tokenizing a megabyte three ways takes seconds of CPU; in slices, the extension host keeps
    // answering throughout (in one go it froze for all of them).
    assert.ok(loop.max / 1e6 < 750, `the extension host stalled ${(loop.max / 1e6).toFixed(0)} ms`);
    assert.equal(outcome.status, 'done', outcome.message);
    // In slices: the test runs on the extension host's thread, and a megabyte in one go would stall it.
    assert.equal(outcome.totalTokens, (await tokenizeInSlices(content)).length);
    assert.equal(outcome.shownTokens, 5000);
    assert.equal(outcome.scoredTokens, 511);
    assert.match(outcome.notes!.join(' '), /panel shows the last 5,000/);
    assert.ok(Date.now() - started < 60_000, `took ${Date.now() - started} ms`);
    const painted = api.decorations(editor.document.uri)!;
    assert.equal(painted.boundaries.length, 5000);
    assert.equal(painted.boundaries.at(-1)![1], content.length, 'the decorated tokens are the last ones');
  });

  it('the panel opens while the text is read; when the text changes meanwhile, the run stops with a message and the panel it opened closes', async () => {
    await closeEverything();
    const editor = await openScratch('def step(state):\n    return state.advance(1)\n', 'python');
    selectAll(editor);
    // The command with the extension's own parts, except a worker whose reading ends when the test
    // says: the edit then certainly lands while the text is being read.
    const extensionUri = vscode.extensions.getExtension('llm-lens.llm-lens')!.extensionUri;
    const { model } = await resolveModel(extensionUri, undefined);
    let finishReading!: () => void;
    const reading = new Promise<void>((resolve) => (finishReading = resolve));
    const reporter = new Reporter('LLM Lens (test)');
    const decorations = new TokenDecorations('rank');
    const panels = new PanelHost(extensionUri, reporter);
    const command = new ExplainTokensCommand({
      extensionUri,
      reporter,
      decorations,
      panels,
      selectModel: async () => ({ model }),
      worker: {
        open: async () => ({ config: model.config, tokenizer: { name: 'r50k_base', addsBos: false } }),
        tokenize: async (text: string, tail: number) => {
          await reading;
          const tokens = tokenize(text);
          return { total: tokens.length, tail: tokens.slice(-tail) };
        },
      },
    });
    try {
      const run = command.run();
      await until(() => panelTabs().length === 1, 'the panel to open while the text is read');
      assert.ok(await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), '# edited\n')));
      finishReading();
      const outcome = await run;
      assert.equal(outcome.status, 'nothing', JSON.stringify(outcome));
      assert.equal(outcome.message, 'The text changed while LLM Lens was reading it; run Explain Tokens again.');
      await until(() => panelTabs().length === 0, 'the panel opened for the run to close');
      assert.equal(editor.document.getText(), '# edited\ndef step(state):\n    return state.advance(1)\n', 'the text is as the user left it');
      assert.equal(decorations.snapshot(editor.document.uri), undefined, 'no token boundaries painted on the changed text');
    } finally {
      finishReading();
      panels.dispose();
      decorations.dispose();
      reporter.dispose();
    }
  });

  it('a text longer than the context: the heat map reaches the tokens before the model’s last window as the panel scores them', async function () {
    this.timeout(120_000);
    const content = Array.from({ length: 120 }, (_, i) => `item_${i} = lookup(table, key=${i % 17})`).join('\n');
    const total = tokenize(content).length;
    assert.ok(total > 700, `${total} tokens`);
    const editor = await openScratch(content, 'python');
    selectAll(editor);
    const outcome = await explain();
    assert.equal(outcome.status, 'done', outcome.message);
    assert.equal(outcome.scoredTokens, 511, 'the command reports the last window');
    // Every token but the text's first ends up painted with a heat colour, windows arriving later.
    const deadline = Date.now() + 90_000;
    while (heatRanges(api, editor.document.uri).length < total - 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    const painted = heatRanges(api, editor.document.uri).sort((a, b) => a[0] - b[0]);
    assert.equal(painted.length, total - 1, `${painted.length} of ${total - 1} tokens painted`);
    const second = tokenize(content)[1]!;
    assert.deepEqual(painted[0], [second.start, second.end], 'from the second token of the text on');
  });

  it('text over the limit, or that would take BPE minutes, is refused with a clear message', async () => {
    const word = await openScratch(`start ${'x'.repeat(50_000)} end`);
    selectAll(word);
    const slow = await explain();
    assert.equal(slow.status, 'failed');
    assert.match(slow.message!, /^Cannot explain this text: the text holds a run of 50,000 characters of one kind/);
    assert.equal(await api.statusBarCount(), undefined, 'the status bar does not count it either');

    const editor = await openScratch('word '.repeat(400_001));
    selectAll(editor);
    const outcome = await explain();
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.message!, /^The text is too long to explain: 2,000,005 characters; Explain Tokens takes at most 2,000,000\. Select a part of it\.$/);
  });

  it('a binary-looking file still works and the panel says why the numbers mean little', async () => {
    const editor = await openUntitled('PNG\u0000\u0001\u0002\u0003IHDR\u0000\u0000\u0000\rIDATx\u009c\u00ed\u0000\u0010');
    // VS Code turns the lone carriage return into a line break: compare with what the document holds.
    const content = editor.document.getText();
    selectAll(editor);
    const outcome = await explain();
    assert.equal(outcome.status, 'done', outcome.message);
    assert.match(outcome.notes!.join(' '), /looks binary/);
    assert.deepEqual(api.decorations(editor.document.uri)!.boundaries, expectedBoundaries(content, 0));
  });

  it('closing the panel mid-run: a clear message, never a hanging command', async () => {
    for (const tab of panelTabs()) await vscode.window.tabGroups.close(tab);
    // The host learns of the closed panel a moment after the tab goes.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const editor = await openScratch('while True:\n    pass\n', 'python');
    selectAll(editor);
    // A new panel cannot have loaded the model yet: close it as soon as its tab opens.
    const closing = new Promise<void>((resolve) => {
      const listener = vscode.window.tabGroups.onDidChangeTabs((event) => {
        const tab = event.opened.find((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('LLM Lens'));
        if (!tab) return;
        listener.dispose();
        void vscode.window.tabGroups.close(tab).then(() => resolve());
      });
    });
    const outcome = await explain();
    await closing;
    assert.equal(outcome.status, 'closed');
    assert.equal(outcome.message, 'The LLM Lens panel was closed before the model finished; the editor shows token boundaries only.');
    assert.ok(api.decorations(editor.document.uri)!.boundaries.length > 0);
  });
});

describe('token count in the status bar', () => {
  let api: LensApi;

  before(async () => {
    api = await lensApi();
    await Promise.all((['cl100k_base', 'o200k_base'] as const).map((e) => loadEncoding(e)));
  });

  after(async () => {
    await setSetting('countEncoding', undefined);
    await closeEverything();
  });

  it('counts the selection, or the document when nothing is selected, in the chosen encoding', async () => {
    const content = 'import numpy as np\n\narray = np.zeros((3, 4))  # 三行四列 🚀\n';
    const editor = await openScratch(content, 'python');
    editor.selection = new vscode.Selection(new vscode.Position(0, 0), new vscode.Position(0, 0));
    // By default the model's own tokenizer counts: the bundled model's is GPT-2's r50k_base.
    assert.deepEqual(await api.statusBarCount(), { count: countTokens(content, 'r50k_base'), scope: 'document', encoding: 'model' });

    const line = editor.document.lineAt(2);
    editor.selection = new vscode.Selection(line.range.start, line.range.end);
    assert.deepEqual(await api.statusBarCount(), { count: countTokens(line.text, 'r50k_base'), scope: 'selection', encoding: 'model' });

    for (const encoding of ['r50k_base', 'cl100k_base', 'o200k_base'] as const) {
      await setSetting('countEncoding', encoding);
      assert.deepEqual(await api.statusBarCount(), { count: countTokens(line.text, encoding), scope: 'selection', encoding });
    }
  });

  // VS Code hands a new untitled document the name of one just closed (untitled:Untitled-1 again),
  // and both start at version 1: a count remembered by name and version showed the closed
  // document's count for the new one (CI: 9 tokens shown for a 32-token document).
  it('a new document that takes a closed one\'s name is counted afresh', async () => {
    await setSetting('countEncoding', undefined);
    await closeTextEditors(); // untitled names are numbered from the lowest free one
    // Plain untitled documents (openScratch gives each test document a name of its own).
    const plainUntitled = async (text: string) => showActive(await vscode.workspace.openTextDocument({ content: text, language: 'python' }));
    const first = await plainUntitled('while True:\n    pass\n');
    assert.deepEqual(await api.statusBarCount(), { count: 9, scope: 'document', encoding: 'model' });
    const name = first.document.uri.toString();
    const version = first.document.version;
    await closeTextEditors();
    const content = 'import numpy as np\n\narray = np.zeros((3, 4))  # 三行四列 🚀\n';
    const second = await plainUntitled(content);
    assert.equal(second.document.getText(), content, 'precondition: a new document');
    assert.equal(second.document.uri.toString(), name, 'precondition: the new document reuses the closed one\'s name');
    assert.equal(second.document.version, version, 'precondition: it is at the version the closed one was counted at');
    assert.deepEqual(await api.statusBarCount(), { count: countTokens(content, 'r50k_base'), scope: 'document', encoding: 'model' });
  });
});
