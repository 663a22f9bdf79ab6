// A Qwen3 checkpoint in llmLens.modelPath (the tiny random fixture: real Qwen3 tokenizer, bf16
// weights, q/k norms, GQA) inside the real VS Code: Explain Tokens on Chinese text tokenizes with
// Qwen's tokenizer and the panel runs the model; the hover and Show Attention From Here show
// that model's numbers. Everything is checked against the fixture's reference.json (a float64
// forward pass following transformers, ids from Hugging Face's Rust tokenizers).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { ExplainOutcome } from '../../src/commands/explain-tokens';
import type { ShowAttentionOutcome } from '../../src/attention/show-attention';
import type { LensApi } from '../../src/extension';
import { restoreBundledModel, setModelPath } from './model-setting';
import { closeTextEditors, openScratch, until } from './editors';
import { pieceText } from '../harness/byte-level';
import type { FixtureReference } from '../unit/llama-family-fixtures';
import { hoveredTokenScore, lensHover, LOGPROB_TOLERANCE, showsProbability, tableRows } from './lens-hover';

const repo = path.resolve(__dirname, '../../..');
const QWEN3 = path.join(repo, 'test/fixtures/models/tiny-random-qwen3');

const reference: FixtureReference = JSON.parse(fs.readFileSync(path.join(QWEN3, 'reference.json'), 'utf8'));
const chinese = reference.refs.find((r) => r.name === 'chinese')!;



describe('a Qwen3 model in llmLens.modelPath', function () {
  this.timeout(300_000);
  let api: LensApi;
  const texts = chinese.tokens.map(pieceText);

  before(async () => {
    api = await vscode.extensions.getExtension<LensApi>('llm-lens.llm-lens')!.activate();
    assert.equal(texts.join(''), chinese.text, 'the reference tokens spell the prompt');
    await setModelPath(QWEN3);
  });

  afterEach(async () => {
    await closeTextEditors();
  });

  after(async () => {
    await restoreBundledModel(api);
  });

  it('Explain Tokens on Chinese text: Qwen tokens in the editor, scored by the panel, counted by the status bar', async () => {
    const editor = await openScratch(chinese.text);
    editor.selection = new vscode.Selection(new vscode.Position(0, 0), editor.document.positionAt(chinese.text.length));
    const outcome = (await vscode.commands.executeCommand('llmLens.explainTokens')) as ExplainOutcome;
    assert.equal(outcome.status, 'done', outcome.message);
    assert.equal(outcome.model, 'tiny-random-qwen3');
    assert.equal(outcome.totalTokens, chinese.ids.length);
    assert.equal(outcome.scoredTokens, chinese.ids.length - 1);
    // One decoration per Qwen token: each Chinese word or character the tokenizer keeps whole.
    let at = 0;
    const boundaries = texts.map((t) => [at, (at += t.length)]);
    assert.deepEqual(api.decorations(editor.document.uri)!.boundaries, boundaries);
    assert.deepEqual(await api.statusBarCount(), { count: chinese.ids.length, scope: 'selection', encoding: 'model' });
    // GPT-2 would have needed far more tokens for the same text.
    assert.ok(outcome.counts!.r50k_base > 2 * chinese.ids.length, JSON.stringify(outcome.counts));
  });

  it("the hover shows the Qwen3 model's numbers for every token", async () => {
    await until(() => api.hoverStats().model === 'tiny-random-qwen3', 'the hover to load the Qwen3 model', 120_000);
    const document = (await openScratch(chinese.text)).document;
    let start = 0;
    for (let t = 0; t < chinese.ids.length; t++) {
      const offset = start;
      start += texts[t]!.length;
      const markdown = await lensHover(document.uri, document.positionAt(offset));
      assert.ok(markdown, `no LLM Lens hover at token ${t}`);
      assert.ok(markdown.includes(`token **${texts[t]}** · id ${chinese.ids[t]}`), `token ${t}: ${markdown.split('\n')[0]}`);
      const rows = tableRows(markdown).slice(0, 5);
      assert.equal(rows.length, 5, markdown);
      const expected = chinese.top6[t]!;
      rows.forEach(([, shown], j) => {
        // A near-tie (gap under the tolerance) may come out in either order.
        const match = expected.find(([, lp]) => Math.abs(lp - expected[j]![1]) <= LOGPROB_TOLERANCE && showsProbability(shown, Math.exp(lp)));
        assert.ok(match, `token ${t}, row ${j + 1}: ${shown} where the reference has ${Math.exp(expected[j]![1])}`);
      });
      if (t === 0) continue;
      const shownP = hoveredTokenScore(markdown)?.p;
      assert.ok(shownP && showsProbability(shownP, Math.exp(chinese.target_logprob[t - 1]!)), `token ${t}: p = ${shownP} in ${markdown}`);
    }
  });

  it('Show Attention From Here shades the preceding tokens with the Qwen3 model\'s attention', async () => {
    const editor = await openScratch(chinese.text);
    editor.selection = new vscode.Selection(new vscode.Position(0, 0), editor.document.positionAt(chinese.text.length));
    assert.equal(((await vscode.commands.executeCommand('llmLens.explainTokens')) as ExplainOutcome).status, 'done');
    const query = 9; // 把
    const offset = texts.slice(0, query).join('').length;
    editor.selection = new vscode.Selection(editor.document.positionAt(offset), editor.document.positionAt(offset));
    const outcome = (await vscode.commands.executeCommand('llmLens.showAttention')) as ShowAttentionOutcome;
    assert.equal(outcome.status, 'shown', outcome.message);
    const shown = api.attentionDecorations(editor.document.uri)!;
    assert.equal(shown.queryIndex, query);
    assert.equal(shown.ranges.length, query, 'every token before the query');
    const layers = { 0: chinese.attn_layer0, last: chinese.attn_last };
    const maps = shown.layer === 0 ? layers[0] : layers.last;
    const heads = maps.length;
    const row = (h: number) => maps[h]![query]!;
    const expected = shown.head === 'average' ? row(0).map((_, k) => maps.reduce((sum, _m, h) => sum + row(h)[k]!, 0) / heads) : row(shown.head);
    shown.ranges.forEach((r, k) => assert.ok(Math.abs(r.weight - expected[k]!) < 1e-3, `key ${k}: shown ${r.weight}, reference ${expected[k]}`));
  });
});

describe('a model folder that cannot be used: a clear message naming the file, and the bundled model runs', function () {
  this.timeout(300_000);
  let api: LensApi;
  let tmp: string;
  const LLAMA = path.join(repo, 'test/fixtures/models/tiny-random-llama');

  /** A copy of a fixture folder, with files left out or rewritten. */
  function copyFixture(from: string, name: string, edit: (folder: string) => void = () => undefined): string {
    const folder = path.join(tmp, name);
    fs.mkdirSync(folder, { recursive: true });
    for (const file of ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']) fs.copyFileSync(path.join(from, file), path.join(folder, file));
    edit(folder);
    return folder;
  }

  function editConfig(folder: string, edit: (config: Record<string, unknown>) => void): void {
    const file = path.join(folder, 'config.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8'));
    edit(config);
    fs.writeFileSync(file, JSON.stringify(config, null, 2));
  }

  async function explainIn(folder: string): Promise<ExplainOutcome> {
    await setModelPath(folder);
    const editor = await openScratch('The model reads each token.');
    editor.selection = new vscode.Selection(new vscode.Position(0, 0), editor.document.positionAt(editor.document.getText().length));
    return (await vscode.commands.executeCommand('llmLens.explainTokens')) as ExplainOutcome;
  }

  function assertFallback(outcome: ExplainOutcome, folder: string, reason: RegExp): void {
    assert.equal(outcome.status, 'done', outcome.message);
    assert.equal(outcome.model, 'tiny-gpt2-software', 'the bundled model runs');
    const prefix = `The model in llmLens.modelPath (${folder}) cannot be used: `;
    const suffix = '. Using the bundled model instead.';
    assert.ok(outcome.modelProblem?.startsWith(prefix) && outcome.modelProblem.endsWith(suffix), outcome.modelProblem);
    assert.match(outcome.modelProblem!.slice(prefix.length, -suffix.length), reason);
  }

  before(async () => {
    api = await vscode.extensions.getExtension<LensApi>('llm-lens.llm-lens')!.activate();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-families-'));
  });

  afterEach(async () => {
    await closeTextEditors();
  });

  after(async () => {
    await restoreBundledModel(api);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('an unsupported model_type, listing what is supported', async () => {
    const folder = copyFixture(QWEN3, 'gemma', (f) => editConfig(f, (c) => { c.model_type = 'gemma3'; }));
    assertFallback(await explainIn(folder), folder, new RegExp(`^${escape(path.join(folder, 'config.json'))}: model_type "gemma3" is not supported \\(supported: gpt2, llama, mistral, qwen2, qwen3\\)$`));
  });

  it('an unsupported rope type, naming it', async () => {
    const folder = copyFixture(LLAMA, 'yarn', (f) => editConfig(f, (c) => { c.rope_scaling = { rope_type: 'yarn', factor: 4 }; }));
    assertFallback(await explainIn(folder), folder, new RegExp(`^${escape(path.join(folder, 'config.json'))}: .*"yarn" is not supported`));
  });

  it('a missing tokenizer.json', async () => {
    const folder = copyFixture(LLAMA, 'no-tokenizer', (f) => fs.rmSync(path.join(f, 'tokenizer.json')));
    assertFallback(await explainIn(folder), folder, new RegExp(`^${escape(path.join(folder, 'tokenizer.json'))} is missing: a llama model reads text with its own tokenizer$`));
  });

  it('an unreadable tokenizer.json', async () => {
    const folder = copyFixture(QWEN3, 'bad-tokenizer', (f) => fs.writeFileSync(path.join(f, 'tokenizer.json'), '{"model": {"type": "BPE", "vocab": '));
    assertFallback(await explainIn(folder), folder, new RegExp(`^${escape(path.join(folder, 'tokenizer.json'))}: `));
  });

  it('a tokenizer with ids beyond the embedding rows', async () => {
    const folder = copyFixture(QWEN3, 'small-embedding', (f) => editConfig(f, (c) => Object.assign(c, { vocab_size: 1000, bos_token_id: 1, eos_token_id: 1 })));
    assertFallback(await explainIn(folder), folder, new RegExp(`^${escape(path.join(folder, 'tokenizer.json'))} has \\d+ tokens, but the embedding in ${escape(path.join(folder, 'config.json'))} has 1000 rows$`));
  });

  it('a shard index naming a missing file', async () => {
    const folder = copyFixture(QWEN3, 'sharded', (f) => {
      fs.renameSync(path.join(f, 'model.safetensors'), path.join(f, 'model-00001-of-00002.safetensors'));
      const weightMap = { 'model.embed_tokens.weight': 'model-00001-of-00002.safetensors', 'model.norm.weight': 'model-00002-of-00002.safetensors' };
      fs.writeFileSync(path.join(f, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
    });
    assertFallback(await explainIn(folder), folder, new RegExp(`^${escape(path.join(folder, 'model-00002-of-00002.safetensors'))} is missing$`));
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
