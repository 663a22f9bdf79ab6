// The next-token hover, inside the real VS Code: on the reference prompts its numbers are Hugging
// Face's (test/fixtures/reference.json); elsewhere they equal the engine's full analysis of the
// same context; hostile token texts are escaped, and edits during a hover give no stale result.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vscode from 'vscode';
import { LensEngine, type OrtLike } from '../../src/engine/engine';
import { referenceWork } from './host-stalls';
import { loadCheckpointFromDir } from '../../src/node/load-model';
import { tokenize, tokenText } from '../../src/engine/tokenizer';
import { formatProbability, visibleToken } from '../../src/hover/hover-markdown';
import type { LensApi } from '../../src/extension';
import { closeTextEditors, showActive } from './editors';
import { hoveredTokenScore, lensHover, LOGPROB_TOLERANCE, showsProbability, tableRows } from './lens-hover';

const repo = path.resolve(__dirname, '../../..');
const CONTEXT = 256;
/** llmLens.hover.topK's default. */
const TOP_K = 10;

/**
 * A second engine, in this test's own process, on the same model. Not an independent reference
 * (it is the code under test): it checks that the hover path (worker, context window,
 * predictLast, rendering) shows what a full analysis of the same context gives. The reference
 * prompts are checked against Hugging Face's numbers instead.
 */
async function consistencyEngine(): Promise<LensEngine> {
  // Loaded at run time from node_modules: onnxruntime-web's Node build finds its wasm next to itself.
  const ort = (await import(pathToFileURL(path.join(repo, 'node_modules/onnxruntime-web/dist/ort.node.min.mjs')).href)) as OrtLike & { env: { wasm: { numThreads: number } } };
  ort.env.wasm.numThreads = 1;
  return LensEngine.create(await loadCheckpointFromDir(path.join(repo, 'media/models/tiny-gpt2-software')), { ort, backend: 'wasm' });
}

/** Rows of the hover's next-token table: [shown token text, shown probability]. */
interface ReferencePrompt {
  name: string;
  text: string;
  ids: number[];
  top5: [number, number][][];
  target_logprob: number[];
}
const reference: { refs: ReferencePrompt[] } = JSON.parse(fs.readFileSync(path.join(repo, 'test/fixtures/reference.json'), 'utf8'));
/** The project's tolerance for log-probabilities against the reference. */

describe('next-token hover', function () {
  let engine: LensEngine;
  let document: vscode.TextDocument;

  before(async function () {
    engine = await referenceWork('starting the reference engine', consistencyEngine);
    // An untitled copy: earlier suites explain parts of sample.py, and hovers inside explained
    // text answer from that analysis (tested below), not from the context before the token.
    const [file] = await vscode.workspace.findFiles('sample.py');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    document = await vscode.workspace.openTextDocument({ language: 'python', content: text });
    await showActive(document);
  });
  after(async () => {
    await engine?.dispose();
    // Leave the workbench as the next suites expect it: no panel, no editors.
    await closeTextEditors();
    await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs));
  });

  for (const name of ['fib', 'fox']) {
    it(`on the reference prompt "${name}", every token shows Hugging Face's numbers`, async () => {
      const ref = reference.refs.find((r) => r.name === name)!;
      const doc = await vscode.workspace.openTextDocument({ language: 'plaintext', content: ref.text });
      const tokens = tokenize(ref.text);
      assert.deepEqual(tokens.map((t) => t.id), ref.ids);
      // A hover's context ends at its line's end, so a token holding a newline cannot be hovered.
      const hoverable = tokens.map((t, i) => i).filter((i) => !tokens[i].text.includes('\n'));
      assert.ok(hoverable.length >= 8, `only ${hoverable.length} tokens to hover`);
      for (const t of hoverable) {
        const markdown = await lensHover(doc.uri, doc.positionAt(tokens[t].start));
        assert.ok(markdown, `no LLM Lens hover at token ${t}`);
        assert.ok(markdown.includes(`token **${visibleToken(tokenText(ref.ids[t]))}** · id ${ref.ids[t]}`), `token ${t}: ${markdown.split('\n')[0]}`);
        const expected = ref.top5[t];
        tableRows(markdown).slice(0, 5).forEach(([text, shown], j) => {
          // A near-tie (gap under the tolerance) may come out in either order.
          const match = expected.find(([id, lp]) => visibleToken(tokenText(id)) === text && Math.abs(lp - expected[j][1]) <= LOGPROB_TOLERANCE);
          assert.ok(match, `token ${t}, row ${j + 1}: ${text} where the reference has ${visibleToken(tokenText(expected[j][0]))}`);
          assert.ok(showsProbability(shown, Math.exp(match[1])), `token ${t}, row ${j + 1}: ${shown} for p = ${Math.exp(match[1])}`);
        });
        if (t === 0) continue;
        // How likely this token was after the one before it.
        const { p: shownP, rank: shownRank } = hoveredTokenScore(markdown) ?? {};
        assert.ok(shownP && showsProbability(shownP, Math.exp(ref.target_logprob[t - 1])), `token ${t}: p = ${shownP} for ${Math.exp(ref.target_logprob[t - 1])}`);
        const inTop = ref.top5[t - 1].findIndex(([id]) => id === ref.ids[t]);
        if (inTop >= 0) assert.equal(Number(shownRank), inTop + 1, `rank of token ${t}`);
        else assert.ok(Number(shownRank) > 5, `rank of token ${t} is ${shownRank}, but it is not in the reference top 5`);
      }
    });
  }

  // Consistency checks: the hover shows what the engine's full analysis of the same context gives.
  for (const word of ['fibonacci(n - 1)', 'json.load', 'ValueError']) {
    it(`at "${word}" shows the engine's full analysis of the context (consistency)`, async () => {
      const text = document.getText();
      const offset = text.indexOf(word) + 2;
      const markdown = await lensHover(document.uri, document.positionAt(offset));
      assert.ok(markdown, 'no LLM Lens hover');

      const tokens = tokenize(text);
      const index = tokens.findIndex((t) => t.start <= offset && offset < t.end);
      const ids = tokens.slice(Math.max(0, index + 1 - CONTEXT), index + 1).map((t) => t.id);
      const analysis = await referenceWork('the reference analysis', () => engine.analyze(ids, { topK: TOP_K }));
      const last = analysis.positions[ids.length - 1];
      const expected = last.top.map(([id, logprob]) => [visibleToken(tokenText(id)), formatProbability(Math.exp(logprob))]);
      assert.deepEqual(tableRows(markdown), expected);
      assert.ok(markdown.includes(`token **${visibleToken(tokens[index].text)}**`), markdown.split('\n')[0]);
      // How likely the hovered token was, from the position before it.
      const previous = analysis.positions[ids.length - 2].target!;
      assert.ok(markdown.includes(`p = ${formatProbability(Math.exp(previous.logprob))} · rank ${previous.rank}`), markdown);
    });
  }

  it('inside explained text answers from the panel\'s analysis of that text', async () => {
    const editor = await showActive(document);
    const text = document.getText();
    const selStart = text.indexOf('def fibonacci');
    const selEnd = text.indexOf('\n\n\ndef mean');
    editor.selection = new vscode.Selection(document.positionAt(selStart), document.positionAt(selEnd));
    const outcome = (await vscode.commands.executeCommand('llmLens.explainTokens')) as { status: string };
    assert.equal(outcome.status, 'done');
    const api = vscode.extensions.getExtension<LensApi>('llm-lens.llm-lens')!.exports;
    assert.ok(api.hoverStats().analysedRegions >= 1, 'the analysis reached the hover');

    const offset = text.indexOf('fibonacci(n - 2)') + 2;
    const markdown = await lensHover(document.uri, document.positionAt(offset));
    assert.ok(markdown, 'no LLM Lens hover');
    // The panel's model read only the selection: the hover's numbers are for that context.
    const selection = text.slice(selStart, selEnd);
    const tokens = tokenize(selection);
    const index = tokens.findIndex((t) => t.start <= offset - selStart && offset - selStart < t.end);
    const analysis = await referenceWork('the reference analysis', () => engine.analyze(tokens.slice(0, index + 1).map((t) => t.id), { topK: TOP_K }));
    const shown = tableRows(markdown);
    const expected = analysis.positions[index].top;
    assert.deepEqual(shown.map(([t]) => t), expected.map(([id]) => visibleToken(tokenText(id))));
    assert.deepEqual(shown.map(([, p]) => p), expected.map(([, logprob]) => formatProbability(Math.exp(logprob))));
    // ...and not the numbers a hover computes itself from the whole file before the token.
    const whole = tokenize(text);
    const wi = whole.findIndex((t) => t.start <= offset && offset < t.end);
    const cold = await referenceWork('the reference analysis', () => engine.analyze(whole.slice(Math.max(0, wi + 1 - CONTEXT), wi + 1).map((t) => t.id), { topK: TOP_K }));
    assert.notDeepEqual(cold.positions[cold.positions.length - 1].top.map(([id, lp]) => formatProbability(Math.exp(lp)) + id), expected.map(([id, lp]) => formatProbability(Math.exp(lp)) + id));
    await vscode.commands.executeCommand('llmLens.clearDecorations');
  });

  it('escapes hostile text: every token shows as text, never as a link or HTML', async () => {
    const hostile = 'see ](command:workbench.action.quit) and <img src=x onerror=alert(1)> here';
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: hostile });
    for (const t of tokenize(hostile)) {
      const markdown = await lensHover(doc.uri, doc.positionAt(t.start));
      assert.ok(markdown, `no hover at ${JSON.stringify(t.text)}`);
      assert.ok(markdown.includes(`token **${visibleToken(t.text)}**`), `${JSON.stringify(t.text)} is not shown escaped: ${markdown.split('\n')[0]}`);
      const unescaped = markdown.replace(/\\./g, '');
      assert.equal(unescaped.match(/\]\(/g)?.length ?? 0, 1, `a link besides the panel link in ${markdown}`);
      assert.ok(unescaped.includes('](command:llmLens.explainAt?'), 'the panel link');
      assert.ok(!/[<>]/.test(markdown), `raw < or > in ${markdown}`);
    }
  });

  it('gives no stale result when the text changes while the hover is pending', async () => {
    const unique = `value_${Date.now().toString(36)} = compute_total(items, discount)\n`;
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: unique.repeat(3) });
    const editor = await showActive(doc);
    const position = doc.positionAt(unique.length * 2 + unique.indexOf('items') + 1);
    const pending = lensHover(doc.uri, position);
    await editor.edit((b) => b.insert(new vscode.Position(0, 0), 'import math\n'));
    const markdown = await pending;
    const now = await lensHover(doc.uri, position);
    assert.ok(now, 'no LLM Lens hover after the edit');
    // What a stale answer would show: the same position in the text before the edit.
    const before = await vscode.workspace.openTextDocument({ language: 'python', content: unique.repeat(3) });
    const stale = await lensHover(before.uri, position);
    assert.ok(stale, 'no LLM Lens hover on the text before the edit');
    assert.notEqual(stale.split('\n\n[')[0], now.split('\n\n[')[0], 'the edit changes what the hover shows');
    // The hover pending during the edit shows nothing (it is dropped), or the text as it is now.
    assert.ok(markdown === undefined || markdown === now, `stale hover: ${markdown}`);
    assert.equal(doc.getText(), 'import math\n' + unique.repeat(3), 'the user\'s text is unchanged');
  });

  it('runs the model at low CPU priority on its own thread, not on the extension host\'s thread', async () => {
    const text = document.getText();
    assert.ok(await lensHover(document.uri, document.positionAt(text.indexOf('json.load') + 2)), 'no LLM Lens hover');
    if (process.platform !== 'linux') {
      // Elsewhere a priority is the whole process's: the worker must leave the extension host's alone.
      assert.notEqual(os.getPriority(), 19);
      return;
    }
    const niceOf = (tid: string) => {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const threads = fs.readdirSync('/proc/self/task').map((tid) => ({ tid, nice: niceOf(tid) }));
    const lowered = threads.filter((t) => t.nice === 19);
    // One thread, the model worker's: not the main thread, and not libuv's pool, which a
    // lowered thread would pass its priority to if it were the first to start it.
    assert.equal(lowered.length, 1, `threads at nice 19: ${JSON.stringify(lowered)} of ${threads.length}`);
    assert.notEqual(lowered[0].tid, String(process.pid));
    assert.notEqual(niceOf(String(process.pid)), 19);
  });
});
