// The engine in headless Chromium, as the webview runs it: onnxruntime-web/webgpu bundled, the
// page served under the webview's strict CSP. Runs the reference prompts on WASM and on WebGPU
// (SwiftShader, the software adapter headless Chromium offers with --enable-unsafe-webgpu) and checks
// both against Hugging Face's outputs and against each other.
// Needs: node scripts/build.mjs (dist/ort/*.wasm) and node scripts/build-tests.mjs (out/test/browser/).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { repoRoot } from '../harness/paths';
import type { EnginePageResult, PromptResult } from './engine-page';
import { openTestPages, WEBVIEW_CSP, type PageRun, type TestPages } from './test-pages';
/** SwiftShader is 20-60x slower than WASM: WebGPU runs only these short prompts (WASM runs all). */
const WEBGPU_PROMPTS = ['hello', 'doc', 'unicode'];
const PAGE_TIMEOUT_MS = 240_000;
const REFERENCE_TOLERANCE = 2e-3;
const BACKEND_TOLERANCE = 1e-4;

interface Reference {
  name: string;
  ids: number[];
  top5: [number, number][][];
  target_logprob: number[];
}
const references: Reference[] = JSON.parse(fs.readFileSync(path.join(repoRoot, 'test/fixtures/reference.json'), 'utf8')).refs;

/** Loads the page for one backend in a fresh tab; returns what it reported plus any CSP complaints from the console. */
function runPage(pages: TestPages, backend: 'webgpu' | 'wasm', prompts?: string[]): Promise<PageRun<EnginePageResult>> {
  return pages.run<EnginePageResult>('engine-page', { backend, ...(prompts ? { prompts: prompts.join(',') } : {}) }, PAGE_TIMEOUT_MS);
}

function assertMatchesReference(prompt: PromptResult, label: string): void {
  const ref = references.find((r) => r.name === prompt.name)!;
  assert.deepEqual(prompt.ids, ref.ids, `${label} ${prompt.name}: ids`);
  prompt.positions.forEach((position, t) => {
    const where = `${label} ${prompt.name} position ${t}`;
    assert.deepEqual(position.top.map(([id]) => id), ref.top5[t].map(([id]) => id), `${where}: top-5 ids`);
    position.top.forEach(([, logprob], k) => {
      assert.ok(Math.abs(logprob - ref.top5[t][k][1]) <= REFERENCE_TOLERANCE, `${where}: top-${k + 1} logprob ${logprob} vs reference ${ref.top5[t][k][1]}`);
    });
    if (t < ref.target_logprob.length) {
      assert.ok(position.target, `${where}: no target score`);
      assert.ok(Math.abs(position.target.logprob - ref.target_logprob[t]) <= REFERENCE_TOLERANCE,
        `${where}: target logprob ${position.target.logprob} vs reference ${ref.target_logprob[t]}`);
    } else {
      assert.equal(position.target, null, `${where}: the last position has no target`);
    }
  });
}

/** Largest log-probability difference from the reference (top-5 and targets), for failure messages. */
function maxReferenceDifference(prompt: PromptResult): number {
  const ref = references.find((r) => r.name === prompt.name)!;
  let max = 0;
  prompt.positions.forEach((position, t) => {
    position.top.forEach(([, logprob], k) => { max = Math.max(max, Math.abs(logprob - ref.top5[t][k][1])); });
    if (position.target) max = Math.max(max, Math.abs(position.target.logprob - ref.target_logprob[t]));
  });
  return max;
}

function maxLogprobDifference(a: PromptResult, b: PromptResult): number {
  let max = 0;
  a.positions.forEach((position, t) => {
    const other = b.positions[t];
    assert.deepEqual(position.top.map(([id]) => id), other.top.map(([id]) => id), `${a.name} position ${t}: top-5 ids differ between backends`);
    position.top.forEach(([, logprob], k) => { max = Math.max(max, Math.abs(logprob - other.top[k][1])); });
    if (position.target && other.target) max = Math.max(max, Math.abs(position.target.logprob - other.target.logprob));
  });
  return max;
}

describe('engine in Chromium under the webview CSP', { timeout: 2 * PAGE_TIMEOUT_MS + 60_000 }, () => {
  let pages: TestPages;
  let wasm: PageRun<EnginePageResult> | undefined;

  before(async () => {
    // The guarantees this test relies on; a looser webview policy would make it prove less.
    for (const directive of ["default-src 'none'", "script-src 'nonce-{{NONCE}}' 'wasm-unsafe-eval'", 'connect-src {{ORIGIN}}']) {
      assert.ok(WEBVIEW_CSP.split('; ').includes(directive), `webview CSP lacks "${directive}": ${WEBVIEW_CSP}`);
    }
    pages = await openTestPages('engine-page');
  });

  after(() => pages?.close());

  it('WASM: every reference prompt matches Hugging Face (top-5 ids, log-probabilities within 2e-3)', async () => {
    const started = Date.now();
    wasm = await runPage(pages, 'wasm');
    const { result, consoleCsp, pageErrors } = wasm;
    assert.ok(result.ok, `page failed: ${result.error}`);
    console.log(`wasm: load ${result.loadMs?.toFixed(0)} ms, prompts ${result.prompts.map((p) => `${p.name} ${p.ms.toFixed(0)} ms`).join(', ')}; page total ${Date.now() - started} ms`);
    assert.equal(result.backend?.name, 'wasm');
    assert.deepEqual(result.violations, [], 'CSP violations');
    assert.deepEqual(consoleCsp, [], 'CSP messages in the console');
    assert.deepEqual(pageErrors, [], 'uncaught page errors');
    assert.deepEqual(result.prompts.map((p) => p.name), references.map((r) => r.name));
    for (const prompt of result.prompts) assertMatchesReference(prompt, 'wasm');
  });

  it('WebGPU (software adapter allowed): matches Hugging Face and WASM within 1e-4', async () => {
    const started = Date.now();
    const { result, consoleCsp, pageErrors } = await runPage(pages, 'webgpu', WEBGPU_PROMPTS);
    assert.ok(result.ok, `page failed: ${result.error}`);
    console.log(`webgpu (${result.backend?.adapter ?? 'adapter ?'}): load ${result.loadMs?.toFixed(0)} ms, prompts ${result.prompts.map((p) => `${p.name} ${p.ms.toFixed(0)} ms`).join(', ')}; page total ${Date.now() - started} ms`);
    assert.equal(result.backend?.name, 'webgpu', `backend: ${JSON.stringify(result.backend)}`);
    assert.deepEqual(result.violations, [], 'CSP violations');
    assert.deepEqual(consoleCsp, [], 'CSP messages in the console');
    assert.deepEqual(pageErrors, [], 'uncaught page errors');
    assert.deepEqual(result.prompts.map((p) => p.name), WEBGPU_PROMPTS);
    for (const prompt of result.prompts) assertMatchesReference(prompt, 'webgpu');
    assert.ok(wasm?.result.ok, 'the WASM run failed, nothing to compare with');
    for (const prompt of result.prompts) {
      const onWasm = wasm.result.prompts.find((p) => p.name === prompt.name)!;
      const difference = maxLogprobDifference(prompt, onWasm);
      assert.ok(difference <= BACKEND_TOLERANCE,
        `${prompt.name}: WebGPU and WASM log-probabilities differ by ${difference.toExponential(2)} ` +
        `(from the reference: WebGPU ${maxReferenceDifference(prompt).toExponential(2)}, WASM ${maxReferenceDifference(onWasm).toExponential(2)})`);
    }
  });
});
