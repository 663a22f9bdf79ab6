// Names and environment of the hub: model ids and revisions as huggingface_hub validates them,
// a setting's value read as a folder or an id, a snapshot folder named by its model, and the
// environment variables huggingface_hub reads (endpoint, cache, offline, token and token file).
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { hubIdProblem, looksLikePath, parseHubModelRef, revisionProblem, formatHubModelRef } from '../../src/hub/hub-id';
import { environmentToken, hubCacheDir, hubEndpoint, hubOffline, tokenFilePath } from '../../src/hub/hub-env';
import { modelFolderName, snapshotModelId } from '../../src/hub/snapshot-name';
import { RateMeter } from '../../src/hub/rate-meter';
import { planRepoFiles } from '../../src/hub/repo-files';

const COMMIT = '607a30d783dfa663caf39e06633721c8d4cfcd7e';

describe('model ids and revisions', () => {
  test('ids huggingface_hub accepts, and ones it refuses', () => {
    for (const id of ['gpt2', 'openai-community/gpt2', 'Qwen/Qwen3-0.6B', 'HuggingFaceTB/SmolLM2-135M', 'a_b.c-d/x.y_z']) assert.equal(hubIdProblem(id), undefined, id);
    for (const id of ['', '/', 'a/', '/a', 'a/b/c', 'a--b/c', 'a/b..c', '-a/b', 'a/b.', 'a b/c', 'a/é', '../x', 'x'.repeat(97)]) {
      assert.match(hubIdProblem(id) ?? '', /is not a Hugging Face model id/, JSON.stringify(id));
    }
  });

  test('revisions: branches, tags, commits, refs/pr/N; nothing that escapes refs/', () => {
    for (const r of ['main', 'v1.0', 'refs/pr/3', COMMIT]) assert.equal(revisionProblem(r), undefined, r);
    for (const r of ['', '../x', 'a/../b', '/abs', 'a//b', 'dir/', '.hidden', 'a b']) assert.match(revisionProblem(r) ?? '', /is not a revision/, JSON.stringify(r));
  });

  test('a setting value: org/name[@revision], or a path', () => {
    assert.deepEqual(parseHubModelRef('Qwen/Qwen3-0.6B'), { id: 'Qwen/Qwen3-0.6B', revision: 'main' });
    assert.deepEqual(parseHubModelRef(`gpt2@${COMMIT}`), { id: 'gpt2', revision: COMMIT });
    assert.equal(parseHubModelRef('Qwen/Qwen3@'), undefined);
    assert.equal(parseHubModelRef('a/b/c'), undefined);
    assert.equal(formatHubModelRef({ id: 'gpt2', revision: 'main' }), 'gpt2');
    assert.equal(formatHubModelRef({ id: 'gpt2', revision: 'v2' }), 'gpt2@v2');
    for (const p of ['/models/gpt2', '~/models', './gpt2', '../gpt2', 'C:\\models\\gpt2', 'c:/x', 'models\\gpt2']) assert.ok(looksLikePath(p), p);
    for (const p of ['gpt2', 'Qwen/Qwen3-0.6B']) assert.ok(!looksLikePath(p), p);
  });

  test('a cache snapshot folder is named by its model id; any other folder by its name', () => {
    const snapshot = path.join('/cache', 'models--Qwen--Qwen3-0.6B', 'snapshots', COMMIT);
    assert.equal(snapshotModelId(snapshot), 'Qwen/Qwen3-0.6B');
    assert.equal(modelFolderName(snapshot), 'Qwen/Qwen3-0.6B');
    assert.equal(modelFolderName(path.join('/cache', 'models--gpt2', 'snapshots', COMMIT)), 'gpt2');
    assert.equal(modelFolderName(path.join('/x', 'models--gpt2', 'snapshots', 'main')), 'main', 'not a commit: not a snapshot');
    assert.equal(modelFolderName('/home/me/my-gpt2'), 'my-gpt2');
  });
});

describe('which files are fetched', () => {
  test('config, safetensors (or the index), tokenizer files and generation_config.json; nothing else', () => {
    const files = ['README.md', '.gitattributes', 'config.json', 'model.safetensors', 'pytorch_model.bin', 'tf_model.h5', 'tokenizer.json', 'tokenizer_config.json', 'vocab.json', 'merges.txt', 'generation_config.json', 'onnx/model.onnx'];
    assert.deepEqual(planRepoFiles('x', files), { files: ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json'], sharded: false });
    assert.deepEqual(planRepoFiles('x', ['config.json', 'model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']), {
      files: ['config.json', 'model.safetensors.index.json'],
      sharded: true,
    });
  });

  test('pickled weights only, no weights, no config: refused with the reason', () => {
    assert.throws(() => planRepoFiles('x', ['config.json', 'pytorch_model.bin', 'model.pt']), /x has its weights only as pytorch_model\.bin, model\.pt, a Python pickle/);
    assert.throws(() => planRepoFiles('x', ['config.json', 'model.onnx']), /x has no model\.safetensors/);
    assert.throws(() => planRepoFiles('x', ['model.safetensors']), /x has no config\.json at its root/);
  });
});

describe('the environment, as huggingface_hub reads it', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  });

  test('HF_ENDPOINT (no trailing slash), else huggingface.co', () => {
    assert.equal(hubEndpoint({}), 'https://huggingface.co');
    assert.equal(hubEndpoint({ HF_ENDPOINT: 'https://hf-mirror.com/' }), 'https://hf-mirror.com');
  });

  test('HF_HUB_OFFLINE: 1, true, yes, on', () => {
    for (const value of ['1', 'TRUE', 'yes', 'On']) assert.equal(hubOffline({ HF_HUB_OFFLINE: value }), true, value);
    for (const value of ['', '0', 'false', 'no']) assert.equal(hubOffline({ HF_HUB_OFFLINE: value }), false, value);
  });

  test('the cache: HF_HUB_CACHE, else HF_HOME/hub, else XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub', () => {
    for (const key of ['HF_HUB_CACHE', 'HUGGINGFACE_HUB_CACHE', 'HF_HOME', 'XDG_CACHE_HOME']) delete process.env[key];
    assert.equal(hubCacheDir(), path.join(os.homedir(), '.cache', 'huggingface', 'hub'));
    process.env.XDG_CACHE_HOME = '/xdg';
    assert.equal(hubCacheDir(), '/xdg/huggingface/hub');
    process.env.HF_HOME = '/hf-home';
    assert.equal(hubCacheDir(), '/hf-home/hub');
    process.env.HF_HUB_CACHE = '~/hub-cache';
    assert.equal(hubCacheDir(), path.join(os.homedir(), 'hub-cache'));
  });

  test('the token: HF_TOKEN, else the token file (HF_TOKEN_PATH, else HF_HOME/token); a token file that is not a small file is ignored', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-hf-home-'));
    try {
      assert.equal(environmentToken({ HF_TOKEN: ' hf_env \n', HF_HOME: home }), 'hf_env');
      assert.equal(environmentToken({ HF_HOME: home }), undefined);
      assert.equal(tokenFilePath({ HF_HOME: home }), path.join(home, 'token'));
      fs.writeFileSync(path.join(home, 'token'), 'hf_from_file\n');
      assert.equal(environmentToken({ HF_HOME: home }), 'hf_from_file');
      assert.equal(environmentToken({ HF_HOME: home, HF_TOKEN: '' }), 'hf_from_file', 'an empty HF_TOKEN is no token');
      fs.writeFileSync(path.join(home, 'other'), 'hf_other');
      assert.equal(environmentToken({ HF_HOME: home, HF_TOKEN_PATH: path.join(home, 'other') }), 'hf_other');
      assert.equal(environmentToken({ HF_TOKEN_PATH: home }), undefined, 'a folder is not a token');
      assert.equal(environmentToken({ HF_TOKEN_PATH: '/dev/zero' }), undefined, 'a device is not read');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});

test('download speed over the last seconds', () => {
  let now = 0;
  const meter = new RateMeter(() => now);
  assert.equal(meter.rate(), 0);
  for (let second = 0; second <= 10; second++) {
    now = second * 1000;
    meter.add(second < 6 ? 1_000_000 : 4_000_000);
  }
  // The window holds the last five seconds: 4 MB/s, not the average since the start.
  assert.equal(meter.rate(), 4_000_000);
});
