// Today's open architectures in headless Chromium, loaded as the panel's worker loads them
// (webview-ui/engine-loader.ts: config.json, model.safetensors, tokenizer.json and
// tokenizer_config.json over HTTP under the webview's CSP): for each tiny fixture of
// test/fixtures/models/ (Qwen3, Qwen2, Llama with the DeepSeek-V3 tokenizer) the page's tokenizer
// gives the reference ids, and the engine's numbers match the float64 reference for every prompt,
// on WASM and on WebGPU (SwiftShader: correct, 20-60x slower, so a page may take minutes).
// Needs: node scripts/build.mjs (dist/ort/*.wasm) and node scripts/build-tests.mjs (out/test/browser/).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { tokenEntry } from '../../src/engine/model-tokenizer';
import { loadTokenizerFromDir } from '../../src/node/load-tokenizer';
import { parseModelConfig } from '../../src/engine/families';
import { FIXTURES, fixtureDir, readReference, type FixtureName } from '../unit/llama-family-fixtures';
import { checkAttention, checkHiddenNorms, checkNeighbours, checkPredictions, hiddenNorms } from '../unit/llama-family-checks';
import type { FamiliesPageResult } from './families-page';
import { openTestPages, type TestPages } from './test-pages';

const PAGE_TIMEOUT_MS = 300_000;

describe('model families in Chromium, loaded as the panel loads them', { timeout: 6 * PAGE_TIMEOUT_MS }, () => {
  let pages: TestPages;

  before(async () => {
    pages = await openTestPages('families-page');
  });

  after(() => pages?.close());

  for (const fixture of FIXTURES) {
    const reference = readReference(fixture);
    for (const backend of ['wasm', 'webgpu'] as const) {
      it(`${fixture} on ${backend}: the page's tokenizer gives the reference ids; predictions, attention, norms and neighbours match`, async () => {
        const started = Date.now();
        const { result, consoleCsp, pageErrors } = await pages.run<FamiliesPageResult>('families-page', { fixture, backend }, PAGE_TIMEOUT_MS);
        assert.ok(result.ok, `page failed: ${result.error}`);
        console.log(`${fixture} ${backend}: load ${result.loadMs?.toFixed(0)} ms (tokenizer.json ${result.tokenizerMs?.toFixed(0)} ms), ` +
          `prompts ${result.prompts.map((p) => `${p.name} ${p.ms.toFixed(0)} ms`).join(', ')}; page total ${Date.now() - started} ms`);
        assert.equal(result.backend?.name, backend, `backend: ${JSON.stringify(result.backend)}`);
        assert.deepEqual(result.violations, [], 'CSP violations');
        assert.deepEqual(consoleCsp, [], 'CSP messages in the console');
        assert.deepEqual(pageErrors, [], 'uncaught page errors');

        // One progress over every download: the weights and both tokenizer files.
        const sizes = ['model.safetensors', 'tokenizer.json', 'tokenizer_config.json'].map((f) => fs.statSync(path.join(fixtureDir(fixture), f)).size);
        const total = sizes.reduce((a, b) => a + b, 0);
        assert.deepEqual(result.lastFetch, { stage: 'fetching', received: total, total });

        const config = parseModelConfig(fs.readFileSync(path.join(fixtureDir(fixture), 'config.json'), 'utf8'), 'config.json', fixture);
        const { nLayer: L, nHead: H, nEmbd: d } = config;
        const expectedPrompts = reference.refs;
        assert.deepEqual(result.prompts.map((p) => p.name), expectedPrompts.map((r) => r.name));
        for (const prompt of result.prompts) {
          const ref = expectedPrompts.find((r) => r.name === prompt.name)!;
          const where = `${fixture} ${backend} ${prompt.name}`;
          assert.deepEqual(prompt.ids, ref.ids, `${where}: ids from the page's tokenizer`);
          const T = ref.ids.length;
          checkPredictions(ref, prompt.positions, where);
          assert.equal(prompt.attention.length, L * H * T * T);
          checkAttention(ref, L, H, (layer, h, q, k) => prompt.attention[((layer * H + h) * T + q) * T + k]!, where);
          checkHiddenNorms(ref, hiddenNorms(Float32Array.from(prompt.hidden), T, d), where);
        }

        // Neighbours carry the model's own token texts ("<id>" for an id without a token).
        const tokenizer = await loadTokenizerFromDir(fixtureDir(fixture), config);
        for (const [id, expected] of Object.entries(reference.neighbours)) {
          const found = result.neighbours[id]!;
          checkNeighbours(expected, found, `${fixture} ${backend} neighbours of ${id}`);
          for (const [n, text] of found) assert.equal(text, tokenEntry(tokenizer, n).text, `text of neighbour ${n}`);
        }
      });
    }
  }
});
