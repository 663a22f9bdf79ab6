// `npm run test:hub-live`: against the real Hugging Face hub, for machines with internet (not
// part of `npm test`). Downloads openai-community/gpt2 with the CLI into the Hugging Face cache
// (HF_HUB_CACHE, HF_HOME/hub or ~/.cache/huggingface/hub: a copy Python already downloaded is
// used as it is), then checks its first positions against known outputs: the ids of the
// tokenizer example in transformers' documentation, and the greedy continuation of "I enjoy
// walking with my cute dog" from Hugging Face's "How to generate text" (each next token is the
// model's top prediction at the position before it). A second download fetches nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'dist', 'cli.mjs');
const ID = 'openai-community/gpt2';
const PROMPT = 'I enjoy walking with my cute dog';
const CONTINUATION = ", but I'm not sure if I'll ever be able to walk with my dog.";

function llmLens(args: string[]): any {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000, maxBuffer: 256 * 2 ** 20 });
  assert.equal(result.status, 0, `llm-lens ${args.join(' ')} failed`);
  return JSON.parse(result.stdout);
}

test(`${ID} from the hub: downloaded, verified, and its first positions as known`, { timeout: 40 * 60_000 }, () => {
  assert.ok(fs.existsSync(cli), 'run `node scripts/build.mjs` first (npm run test:hub-live does)');
  const download = llmLens(['download', ID]);
  assert.deepEqual(download.files.filter((f: string) => ['config.json', 'model.safetensors', 'tokenizer.json'].includes(f)), ['config.json', 'model.safetensors', 'tokenizer.json']);
  assert.ok(!download.files.some((f: string) => /\.(bin|h5|msgpack|ot)$/.test(f)), 'only safetensors weights');
  console.log(`${ID} at ${download.folder} (commit ${download.commit}); downloaded ${download.downloadedBytes} bytes`);

  const tokens = llmLens(['tokens', '--model', ID, '--text', 'Hello, my dog is cute']);
  assert.deepEqual(tokens.tokens.map((t: { id: number }) => t.id), [15496, 11, 616, 3290, 318, 13779]);

  const analysis = llmLens(['analyze', '--model', ID, '--text', PROMPT + CONTINUATION, '--top-k', '1']);
  assert.equal(analysis.model, ID);
  const promptTokens = llmLens(['tokens', '--model', ID, '--text', PROMPT]).tokens.length;
  const { ids, positions } = analysis as { ids: number[]; positions: { top: [number, number][] }[] };
  for (let t = promptTokens - 1; t < ids.length - 1; t++) {
    assert.equal(positions[t]!.top[0]![0], ids[t + 1], `greedy next token after position ${t}`);
  }

  const again = llmLens(['download', ID]);
  assert.equal(again.downloadedBytes, 0, 'the second download fetched nothing');
  assert.equal(again.folder, download.folder);
});
