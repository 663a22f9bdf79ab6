// "LLM Lens: Show Attention From Here" inside the real VS Code: the editor shades exactly the
// tokens before the cursor's token, ordered as the engine's attention row for that token
// (computed again here, in the test's own process), in buckets that never decrease with weight.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import { LensEngine, type OrtLike } from '../../src/engine/engine';
import { referenceWork } from './host-stalls';
import { loadCheckpointFromDir } from '../../src/node/load-model';
import { tokenize } from '../../src/engine/tokenizer';
import type { ExplainOutcome } from '../../src/commands/explain-tokens';
import type { ShowAttentionOutcome } from '../../src/attention/show-attention';
import type { LensApi } from '../../src/extension';
import { closeTextEditors, openScratch, showActive } from './editors';

const repo = path.resolve(__dirname, '../../..');
const MODEL_DIR = path.join(repo, 'media/models/tiny-gpt2-software');
const CONFIG = JSON.parse(fs.readFileSync(path.join(MODEL_DIR, 'config.json'), 'utf8')) as { n_layer: number; n_head: number };

/** A second engine on the same model, in this process: the independent reference. */
async function referenceEngine(): Promise<LensEngine> {
  const ort = (await import(pathToFileURL(path.join(repo, 'node_modules/onnxruntime-web/dist/ort.node.min.mjs')).href)) as OrtLike & { env: { wasm: { numThreads: number } } };
  ort.env.wasm.numThreads = 1;
  return LensEngine.create(await loadCheckpointFromDir(MODEL_DIR), { ort, backend: 'wasm' });
}

/** Row `query` of the flat [L, H, T, T] attention: one head, or the mean of the layer's heads. */
function attentionRow(attention: Float32Array, heads: number, T: number, layer: number, head: number | 'average', query: number): number[] {
  const row = (h: number) => Array.from(attention.subarray(((layer * heads + h) * T + query) * T, ((layer * heads + h) * T + query) * T + query + 1));
  if (head !== 'average') return row(head);
  const rows = Array.from({ length: heads }, (_, h) => row(h));
  return rows[0]!.map((_, k) => rows.reduce((sum, r) => sum + r[k]!, 0) / heads);
}

async function showAttention(): Promise<ShowAttentionOutcome> {
  return (await vscode.commands.executeCommand('llmLens.showAttention')) as ShowAttentionOutcome;
}

describe('show attention', function () {
  let engine: LensEngine;
  let api: LensApi;

  before(async () => {
    engine = await referenceWork('starting the reference engine', referenceEngine);
    api = await vscode.extensions.getExtension<LensApi>('llm-lens.llm-lens')!.activate();
  });
  after(async () => {
    await engine?.dispose();
    await closeTextEditors();
    await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs));
  });

  it('shades exactly the preceding tokens, ordered as the engine\'s attention row, buckets monotone', async () => {
    const [file] = await vscode.workspace.findFiles('sample.py');
    const editor = await showActive(await vscode.workspace.openTextDocument(file!));
    const document = editor.document;
    const text = document.getText();
    const selStart = text.indexOf('def fibonacci');
    const selEnd = text.indexOf('\n\n\ndef mean');
    editor.selection = new vscode.Selection(document.positionAt(selStart), document.positionAt(selEnd));
    const explained = (await vscode.commands.executeCommand('llmLens.explainTokens')) as ExplainOutcome;
    assert.equal(explained.status, 'done', explained.message);

    // The cursor inside the second "fibonacci" of the return line.
    const cursor = text.indexOf('fibonacci(n - 2)') + 3;
    editor.selection = new vscode.Selection(document.positionAt(cursor), document.positionAt(cursor));
    const outcome = await showAttention();
    assert.equal(outcome.status, 'shown', outcome.message);

    const tokens = tokenize(text.slice(selStart, selEnd));
    const query = tokens.findIndex((t) => selStart + t.start <= cursor && cursor < selStart + t.end);
    assert.ok(query > 10, 'a query token well inside the text');
    const shown = api.attentionDecorations(document.uri);
    assert.ok(shown, 'no attention decorations');
    assert.equal(shown.queryIndex, query);
    assert.deepEqual(shown.query, { start: selStart + tokens[query]!.start, end: selStart + tokens[query]!.end });
    // Exactly the tokens before the query (every one has a visible span here).
    assert.deepEqual(
      shown.ranges.map((r) => [r.start, r.end]),
      tokens.slice(0, query).map((t) => [selStart + t.start, selStart + t.end]),
    );

    const analysis = await referenceWork('the reference analysis', () => engine.analyze(tokens.map((t) => t.id), { attention: true }));
    assert.equal(analysis.attention!.length, CONFIG.n_layer * CONFIG.n_head * tokens.length ** 2);
    const expected = attentionRow(analysis.attention!, CONFIG.n_head, tokens.length, shown.layer, shown.head, query);
    const weights = shown.ranges.map((r) => r.weight);
    weights.forEach((w, k) => assert.ok(Math.abs(w - expected[k]!) < 2e-3, `token ${k}: shown ${w}, engine ${expected[k]}`));
    // Ordering: wherever the engine separates two weights clearly, the editor orders them the same way.
    const byEngine = [...expected.keys()].slice(0, query).sort((a, b) => expected[b]! - expected[a]!);
    for (let i = 0; i + 1 < byEngine.length; i++) {
      const [a, b] = [byEngine[i]!, byEngine[i + 1]!];
      if (expected[a]! - expected[b]! > 1e-3) assert.ok(weights[a]! > weights[b]!, `tokens ${a} and ${b} in the wrong order`);
    }
    // Buckets never decrease with weight; the strongest is the darkest; several steps are used.
    const byWeight = [...shown.ranges].sort((a, b) => a.weight - b.weight);
    for (let i = 1; i < byWeight.length; i++) assert.ok(byWeight[i]!.bucket >= byWeight[i - 1]!.bucket, 'bucket decreases with weight');
    assert.equal(byWeight[byWeight.length - 1]!.bucket, 4);
    assert.ok(new Set(shown.ranges.map((r) => r.bucket)).size >= 2, 'more than one intensity');
    const headText = shown.head === 'average' ? 'avg' : `head ${shown.head}`;
    // shown.layer is the block index; the status text numbers layers from 1, as the panel does.
    assert.ok(shown.summary.startsWith(`Attention (layer ${shown.layer + 1}, ${headText}) from ${JSON.stringify(tokens[query]!.text)}: `), shown.summary);
    assert.equal(outcome.message, shown.summary);

    await vscode.commands.executeCommand('llmLens.clearDecorations');
    assert.equal(api.attentionDecorations(document.uri), undefined, 'Clear Token Decorations clears the shading');
  });

  it('explains the paragraph first when nothing covers the cursor, and an edit in the text clears the shading', async () => {
    // Longer than a "short document" (which Explain Tokens would take whole): it takes the paragraph.
    const filler = Array.from({ length: 120 }, (_, i) => `Line ${i} of the introduction.`).join('\n');
    const content = `# notes\n\n${filler}\n\nThe cat sat on the mat because the mat was warm.\n\nAnother paragraph.\n`;
    const editor = await openScratch(content, 'markdown');
    const document = editor.document;
    const cursor = content.indexOf('was') + 1;
    editor.selection = new vscode.Selection(document.positionAt(cursor), document.positionAt(cursor));
    const outcome = await showAttention();
    assert.equal(outcome.status, 'shown', outcome.message);
    const explained = api.lastExplainOutcome();
    assert.equal(explained?.source?.kind, 'paragraph');
    const paragraphStart = content.indexOf('The cat');
    assert.equal(explained?.start, paragraphStart);

    const tokens = tokenize(content.slice(explained!.start!, explained!.end!));
    const query = tokens.findIndex((t) => paragraphStart + t.start <= cursor && cursor < paragraphStart + t.end);
    const shown = api.attentionDecorations(document.uri)!;
    assert.equal(shown.queryIndex, query);
    assert.deepEqual(shown.ranges.map((r) => r.start), tokens.slice(0, query).map((t) => paragraphStart + t.start));

    // Typing above the paragraph moves the shading with the text; typing inside it clears it.
    await editor.edit((edit) => edit.insert(new vscode.Position(0, 0), 'x'));
    assert.equal(api.attentionDecorations(document.uri)!.ranges[0]!.start, paragraphStart + 1);
    await editor.edit((edit) => edit.insert(document.positionAt(paragraphStart + 5), 'Q'));
    assert.equal(api.attentionDecorations(document.uri), undefined, 'an edit in the shaded text clears it');
  });
});
