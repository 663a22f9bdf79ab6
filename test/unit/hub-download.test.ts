// Downloading models from a hub into the Hugging Face cache, against the local hub of
// test/harness/hub-server.ts serving the fixture models: the first download (layout, hashes,
// progress), reuse, cancel and resume, a connection cut mid-file, corruption, gated and missing
// repositories, pickled weights, web pages instead of files, a full disk, offline use, and caches
// laid out by huggingface_hub (symbolic links, or copies as on Windows).
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { downloadModel, type DownloadOptions, type DownloadProgress } from '../../src/hub/download';
import { findCachedModel, listCachedModels, repoDir } from '../../src/hub/cache';
import { isHubError, type HubErrorKind } from '../../src/hub/hub-error';
import { loadCheckpointFromDir, readModelConfigFromDir } from '../../src/node/load-model';
import { gitBlobSha1, sha256, startFakeHub, TEST_TOKEN, type FakeHub } from '../harness/hub-server';

const root = path.resolve(__dirname, '..', '..');
const QWEN3 = path.join(root, 'test/fixtures/models/tiny-random-qwen3');
const GPT2 = path.join(root, 'media/models/tiny-gpt2-software');
const QWEN3_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'];
const ID = 'llm-lens-test/tiny-qwen3';

let hub: FakeHub;
let cacheDir: string;

before(async () => {
  hub = await startFakeHub();
  hub.addFixture(ID, QWEN3);
  hub.addFixture('llm-lens-test/tiny-gpt2', GPT2);
  hub.addFixture('llm-lens-test/gated-qwen3', QWEN3, { gated: true });
  hub.addRepo('llm-lens-test/pickled', { 'config.json': fs.readFileSync(path.join(GPT2, 'config.json')), 'pytorch_model.bin': Buffer.alloc(1000, 1), 'README.md': '# old' });
  hub.addRepo('llm-lens-test/no-weights', { 'config.json': fs.readFileSync(path.join(GPT2, 'config.json')) });
});
after(() => hub.close());

beforeEach(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-hub-cache-'));
  hub.requests.length = 0;
  for (const key of Object.keys(hub.faults) as (keyof typeof hub.faults)[]) delete hub.faults[key];
});
afterEach(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

function options(extra: Partial<DownloadOptions> = {}): DownloadOptions {
  return { ref: { id: ID, revision: 'main' }, cacheDir, endpoint: hub.endpoint, ...extra };
}

async function rejectsWith(promise: Promise<unknown>, kind: HubErrorKind, message?: RegExp): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isHubError(error, kind), `expected a ${kind} HubError, got ${error instanceof Error ? `${error.name} ${(error as { kind?: string }).kind}: ${error.message}` : error}`);
    if (message) assert.match(error.message, message);
    return error;
  }
  assert.fail(`expected a ${kind} error, but it succeeded`);
}

const fixtureBytes = (file: string, folder = QWEN3) => fs.readFileSync(path.join(folder, file));
const safetensorsSize = () => fs.statSync(path.join(QWEN3, 'model.safetensors')).size;
const cdnGets = () => hub.requests.filter((r) => r.server === 'cdn' && r.method === 'GET');

describe('downloading a model from the hub', () => {
  test('the first download: the standard cache layout, verified files, progress to the last byte, no token sent anywhere', async () => {
    const events: DownloadProgress[] = [];
    const result = await downloadModel(options({ onProgress: (p) => events.push(p) }));
    const commit = hub.repo(ID).commit;
    const repo = repoDir(cacheDir, ID);
    assert.equal(repo, path.join(cacheDir, 'models--llm-lens-test--tiny-qwen3'));
    assert.equal(result.folder, path.join(repo, 'snapshots', commit));
    assert.equal(result.commit, commit);
    assert.equal(result.fromCache, false);
    assert.deepEqual(result.files, [...QWEN3_FILES].sort());
    // refs/main holds the commit with no newline, as huggingface_hub writes it.
    assert.equal(fs.readFileSync(path.join(repo, 'refs', 'main'), 'utf8'), commit);
    for (const file of QWEN3_FILES) {
      const bytes = fixtureBytes(file);
      const etag = file === 'model.safetensors' || bytes.length > 1024 * 1024 ? sha256(bytes) : gitBlobSha1(bytes);
      const link = path.join(result.folder, file);
      assert.ok(fs.lstatSync(link).isSymbolicLink(), `${file} is a link`);
      assert.equal(fs.readlinkSync(link), `../../blobs/${etag}`);
      assert.ok(fs.readFileSync(path.join(repo, 'blobs', etag)).equals(bytes as Uint8Array), `${file}'s blob holds its bytes`);
    }
    assert.deepEqual(fs.readdirSync(path.join(repo, 'blobs')).filter((f) => f.endsWith('.incomplete')), []);
    // Only what the engine reads: README.md is in the repository, not in the cache.
    assert.ok(!hub.requests.some((r) => r.path.endsWith('README.md')));
    const total = QWEN3_FILES.filter((f) => f !== 'config.json').reduce((sum, f) => sum + fixtureBytes(f).length, 0);
    assert.equal(result.transferredBytes, total + fixtureBytes('config.json').length);
    const weightEvents = events;
    assert.ok(weightEvents.length >= 2, `progress events for the weights and tokenizer: ${JSON.stringify(events)}`);
    assert.ok(events.every((e) => e.totalBytes === total), 'one total for the whole download, config.json aside');
    for (let i = 1; i < weightEvents.length; i++) assert.ok(weightEvents[i]!.doneBytes >= weightEvents[i - 1]!.doneBytes, 'progress never goes back');
    assert.equal(weightEvents.at(-1)!.doneBytes, total);
    assert.ok(events.some((e) => e.file === 'model.safetensors'));
    // The loaders read the snapshot through its links.
    assert.equal((await readModelConfigFromDir(result.folder)).nLayer, JSON.parse(fixtureBytes('config.json').toString()).num_hidden_layers);
    await loadCheckpointFromDir(result.folder);
    assert.ok(hub.requests.every((r) => r.server === 'hub' || r.authorization === undefined));
  });

  test('a second download of the same model transfers nothing', async () => {
    await downloadModel(options());
    hub.requests.length = 0;
    const again = await downloadModel(options());
    assert.equal(again.fromCache, true);
    assert.equal(again.transferredBytes, 0);
    assert.equal(hub.fileBytesSent(), 0);
    assert.deepEqual(hub.requests.map((r) => r.path), [`/api/models/${ID}/revision/main`]);
  });

  test('blobs already in the cache are linked into the snapshot, not fetched again', async () => {
    await downloadModel(options());
    fs.rmSync(path.join(repoDir(cacheDir, ID), 'snapshots'), { recursive: true });
    hub.requests.length = 0;
    const relinked = await downloadModel(options());
    assert.equal(hub.fileBytesSent(), 0, 'the blobs were still there');
    assert.equal(relinked.transferredBytes, 0);
    assert.ok(findCachedModel(cacheDir, { id: ID, revision: 'main' }));
  });

  test('cancel stops the transfer and keeps the partial file; the next download resumes it with a Range request', async () => {
    hub.faults.slow = { chunkBytes: 256 * 1024, delayMs: 30 };
    const abort = new AbortController();
    const cancelled = downloadModel(
      options({
        signal: abort.signal,
        onProgress: (p) => {
          if (p.file === 'model.safetensors' && p.doneBytes > 2 * 1024 * 1024) abort.abort();
        },
      }),
    );
    await rejectsWith(cancelled, 'cancelled', /cancelled/);
    const blob = path.join(repoDir(cacheDir, ID), 'blobs', sha256(fixtureBytes('model.safetensors')));
    const partial = fs.statSync(`${blob}.incomplete`).size;
    assert.ok(partial > 0 && partial < safetensorsSize(), `partial: ${partial}`);
    assert.ok(!fs.existsSync(blob));
    assert.equal(findCachedModel(cacheDir, { id: ID, revision: 'main' }), undefined, 'a cancelled model is not in the cache');

    delete hub.faults.slow;
    hub.requests.length = 0;
    const resumed = await downloadModel(options());
    const weights = cdnGets().find((r) => r.path === `/${sha256(fixtureBytes('model.safetensors'))}`)!;
    assert.equal(weights.range, `bytes=${partial}-`);
    assert.equal(weights.bytesSent, safetensorsSize() - partial);
    assert.ok(fs.readFileSync(path.join(resumed.folder, 'model.safetensors')).equals(fixtureBytes('model.safetensors') as Uint8Array));
  });

  test('a connection cut mid-file: a clear error; the second transfer carries only the remaining bytes', async () => {
    const cutAt = 5 * 1024 * 1024;
    hub.faults.cut = { file: 'model.safetensors', afterBytes: cutAt, times: 1 };
    const error = await rejectsWith(downloadModel(options()), 'interrupted', /^The download of model\.safetensors was interrupted at [\d,]+ of [\d,]+ bytes \(.+\)\. Try again: it resumes where it stopped$/);
    // What is kept is what reached the file: every byte the server sent, less what was still in
    // the client's stream when the connection ended (a busy machine loses the last chunk or so).
    const kept = Number(/interrupted at ([\d,]+) of/.exec(error.message)![1]!.replaceAll(',', ''));
    assert.ok(kept <= cutAt && kept > cutAt - 1024 * 1024, `kept ${kept} of the ${cutAt} bytes sent`);
    const hash = sha256(fixtureBytes('model.safetensors'));
    assert.equal(fs.statSync(path.join(repoDir(cacheDir, ID), 'blobs', `${hash}.incomplete`)).size, kept);

    hub.requests.length = 0;
    const result = await downloadModel(options());
    const resumed = cdnGets().filter((r) => r.path === `/${hash}`);
    assert.equal(resumed.length, 1);
    assert.equal(resumed[0]!.range, `bytes=${kept}-`);
    assert.equal(resumed[0]!.status, 206);
    assert.equal(resumed[0]!.bytesSent, safetensorsSize() - kept);
    assert.ok(fs.readFileSync(path.join(result.folder, 'model.safetensors')).equals(fixtureBytes('model.safetensors') as Uint8Array));
  });

  test('a hub that never answers, or a transfer that stalls: cut after the timeout, the partial file kept for the next try', async () => {
    const timeouts = { metadataMs: 300, stallMs: 300 };
    hub.faults.hang = 'api';
    await rejectsWith(downloadModel(options({ timeouts })), 'network', /^http:\/\/127\.0\.0\.1:\d+ did not answer within 0\.3 s$/);
    hub.faults.hang = { file: 'model.safetensors', afterBytes: 3_000_000 };
    await rejectsWith(downloadModel(options({ timeouts })), 'interrupted', /^The download of model\.safetensors was interrupted at 3,000,000 of [\d,]+ bytes \(no data for 0\.3 s\)\. Try again: it resumes where it stopped$/);
    delete hub.faults.hang;
    hub.requests.length = 0;
    await downloadModel(options({ timeouts }));
    assert.equal(cdnGets().find((r) => r.path.endsWith(sha256(fixtureBytes('model.safetensors'))))!.range, 'bytes=3000000-');
  });

  test('a corrupted file is deleted and not cached, and the error says so', async () => {
    hub.faults.corrupt = new Set(['model.safetensors']);
    const hash = sha256(fixtureBytes('model.safetensors'));
    await rejectsWith(downloadModel(options()), 'integrity', new RegExp(`^model\\.safetensors of ${ID} arrived corrupted \\(its sha256 is [0-9a-f]{64}, the hub said ${hash}\\): it was deleted and not cached\\. Try again$`));
    const blobs = fs.readdirSync(path.join(repoDir(cacheDir, ID), 'blobs'));
    assert.ok(!blobs.some((b) => b.startsWith(hash)), `no blob or partial file for it: ${blobs}`);
    assert.equal(findCachedModel(cacheDir, { id: ID, revision: 'main' }), undefined);
    assert.ok(!fs.existsSync(path.join(repoDir(cacheDir, ID), 'refs', 'main')));
  });

  test('a corrupted git file (config.json, checked by its git sha1) is refused too', async () => {
    hub.faults.corrupt = new Set(['config.json']);
    await rejectsWith(downloadModel(options()), 'integrity', /^config\.json of .* \(its git sha1 is /);
    assert.equal(cdnGets().length, 0, 'no weights after a bad config.json');
  });

  test('a gated repository: 401 without a token, a message saying so; with the token it downloads, and the token never reaches the CDN', async () => {
    const ref = { id: 'llm-lens-test/gated-qwen3', revision: 'main' };
    await rejectsWith(downloadModel(options({ ref })), 'unauthorized', /^llm-lens-test\/gated-qwen3 is gated or private: the hub wants a Hugging Face access token to download it$/);
    await rejectsWith(downloadModel(options({ ref, token: 'hf_wrong' })), 'unauthorized', /refused the token/);
    hub.requests.length = 0;
    const result = await downloadModel(options({ ref, token: TEST_TOKEN }));
    assert.ok(fs.existsSync(path.join(result.folder, 'model.safetensors')));
    assert.ok(hub.requests.filter((r) => r.server === 'hub').every((r) => r.authorization === `Bearer ${TEST_TOKEN}`));
    assert.ok(cdnGets().length > 0 && cdnGets().every((r) => r.authorization === undefined && r.status === 200));
  });

  test('a repository that does not exist: 404 and a message naming it', async () => {
    await rejectsWith(downloadModel(options({ ref: { id: 'llm-lens-test/no-such-model', revision: 'main' } })), 'not-found', /^llm-lens-test\/no-such-model was not found on the hub/);
    await rejectsWith(downloadModel(options({ ref: { id: ID, revision: 'no-such-branch' } })), 'not-found');
  });

  test('an invalid id or revision is refused before any request', async () => {
    for (const id of ['', 'a/b/c', '../etc', 'org--x/y', 'name with spaces', '-x', 'x/']) {
      await rejectsWith(downloadModel(options({ ref: { id, revision: 'main' } })), 'invalid-id', /is not a Hugging Face model id/);
    }
    await rejectsWith(downloadModel(options({ ref: { id: ID, revision: '../../x' } })), 'invalid-id', /is not a revision/);
    assert.equal(hub.requests.length, 0);
  });

  test('a repository with only pickled weights: refused, and the .bin is never requested', async () => {
    await rejectsWith(downloadModel(options({ ref: { id: 'llm-lens-test/pickled', revision: 'main' } })), 'repo-files', /pytorch_model\.bin, a Python pickle, which LLM Lens never downloads or loads/);
    assert.ok(!hub.requests.some((r) => r.path.endsWith('.bin')));
    await rejectsWith(downloadModel(options({ ref: { id: 'llm-lens-test/no-weights', revision: 'main' } })), 'repo-files', /has no model\.safetensors/);
  });

  test('a web page instead of a file (a captive portal or a proxy): refused, nothing cached', async () => {
    hub.faults.html = new Set(['model.safetensors']);
    await rejectsWith(downloadModel(options()), 'html', /answered with a web page instead of a file/);
    assert.equal(findCachedModel(cacheDir, { id: ID, revision: 'main' }), undefined);
    delete hub.faults.html;
    hub.faults.htmlApi = true;
    await rejectsWith(downloadModel(options()), 'html', /answered with a web page/);
  });

  test('a file larger than LLM Lens reads (a 2 MiB config.json) is refused before it is downloaded', async () => {
    const config = JSON.parse(fixtureBytes('config.json').toString());
    hub.addRepo('llm-lens-test/huge-config', { 'config.json': JSON.stringify({ ...config, padding: 'x'.repeat(2 * 1024 * 1024) }), 'model.safetensors': fixtureBytes('model.safetensors') });
    await rejectsWith(downloadModel(options({ ref: { id: 'llm-lens-test/huge-config', revision: 'main' } })), 'repo-files', /^config\.json of llm-lens-test\/huge-config is [\d,]+ bytes, more than the 1,048,576 LLM Lens reads from it$/);
    assert.equal(hub.fileBytesSent(), 0);
  });

  test('not enough free disk space: refused before any weights are written', async () => {
    await rejectsWith(downloadModel(options({ freeBytes: async () => 1_000_000 })), 'disk-full', /^Not enough disk space for llm-lens-test\/tiny-qwen3: it needs [\d.]+ MB more, and 1\.0 MB is free/);
    assert.deepEqual(cdnGets(), []);
  });

  test('the disk fills up mid-file (ENOSPC, from /dev/full): a clear message', async () => {
    // The partial file is a link to /dev/full, where every write fails with ENOSPC.
    const blobs = path.join(repoDir(cacheDir, ID), 'blobs');
    fs.mkdirSync(blobs, { recursive: true });
    fs.symlinkSync('/dev/full', path.join(blobs, `${sha256(fixtureBytes('model.safetensors'))}.incomplete`));
    await rejectsWith(downloadModel(options()), 'disk-full', /^The disk is full: model\.safetensors stopped at 0 of/);
  });

  test('a model that its config rules out is refused before its weights are fetched', async () => {
    await assert.rejects(
      downloadModel(options({ checkConfig: () => { throw new Error('too large for this machine'); } })),
      /too large for this machine/,
    );
    assert.deepEqual(cdnGets(), []);
  });

  test('offline: a cached model is used without a request; one not cached says why; an unreachable hub falls back to the cache', async () => {
    await rejectsWith(downloadModel(options({ offline: true })), 'offline', /^HF_HUB_OFFLINE is set and llm-lens-test\/tiny-qwen3 is not in the Hugging Face cache/);
    assert.equal(hub.requests.length, 0);
    const online = await downloadModel(options());
    hub.requests.length = 0;
    const offline = await downloadModel(options({ offline: true }));
    assert.equal(offline.folder, online.folder);
    assert.equal(offline.fromCache, true);
    assert.equal(hub.requests.length, 0);

    const unreachable = 'http://127.0.0.1:9'; // the discard port: nothing listens there
    const fallback = await downloadModel(options({ endpoint: unreachable }));
    assert.equal(fallback.folder, online.folder);
    assert.match(fallback.offlineReason!, /^Cannot reach http:\/\/127\.0\.0\.1:9: /);
    await rejectsWith(downloadModel(options({ endpoint: unreachable, ref: { id: 'llm-lens-test/tiny-gpt2', revision: 'main' } })), 'network', /^Cannot reach http:\/\/127\.0\.0\.1:9: /);
  });
});

/**
 * A cache laid out by hand as huggingface_hub's hf_hub_download lays it out: blobs named by the
 * git sha1 (small files) or the sha256 (LFS files), snapshot entries that are relative symbolic
 * links to them, refs/main holding the commit. With `copies`, the snapshot holds the files
 * themselves and blobs/ is empty, as huggingface_hub leaves it where it cannot make links (Windows).
 */
function layOutAsHuggingfaceHub(cache: string, id: string, commit: string, folder: string, files: string[], copies: boolean): string {
  const repo = path.join(cache, `models--${id.replace('/', '--')}`);
  const snapshot = path.join(repo, 'snapshots', commit);
  fs.mkdirSync(snapshot, { recursive: true });
  fs.mkdirSync(path.join(repo, 'blobs'), { recursive: true });
  fs.mkdirSync(path.join(repo, 'refs'), { recursive: true });
  fs.mkdirSync(path.join(repo, '.no_exist', commit), { recursive: true });
  fs.writeFileSync(path.join(repo, 'refs', 'main'), commit);
  for (const file of files) {
    const bytes = fs.readFileSync(path.join(folder, file));
    if (copies) {
      fs.writeFileSync(path.join(snapshot, file), bytes as Uint8Array);
      continue;
    }
    const etag = file.endsWith('.safetensors') || bytes.length > 1024 * 1024 ? sha256(bytes) : gitBlobSha1(bytes);
    fs.writeFileSync(path.join(repo, 'blobs', etag), bytes as Uint8Array);
    fs.symlinkSync(`../../blobs/${etag}`, path.join(snapshot, file));
  }
  return snapshot;
}

describe('a cache written by huggingface_hub', () => {
  for (const copies of [false, true]) {
    test(`is found and used without a download (${copies ? 'copies, as on Windows' : 'snapshots linked to blobs'})`, async () => {
      const commit = hub.repo(ID).commit;
      const snapshot = layOutAsHuggingfaceHub(cacheDir, ID, commit, QWEN3, QWEN3_FILES, copies);
      const offline = await downloadModel(options({ offline: true }));
      assert.equal(offline.folder, snapshot);
      const online = await downloadModel(options());
      assert.equal(online.folder, snapshot);
      assert.equal(online.fromCache, true);
      assert.equal(hub.fileBytesSent(), 0, 'nothing downloaded a second time');
      assert.deepEqual((await listCachedModels(cacheDir)).map((m) => [m.id, m.commit, m.folder, m.refs]), [[ID, commit, snapshot, ['main']]]);
      await loadCheckpointFromDir(snapshot);
    });
  }

  test('a snapshot missing its weights (a download stopped half-way) is not offered, and is completed by the next download', async () => {
    const commit = hub.repo(ID).commit;
    const snapshot = layOutAsHuggingfaceHub(cacheDir, ID, commit, QWEN3, ['config.json', 'tokenizer.json'], false);
    assert.equal(findCachedModel(cacheDir, { id: ID, revision: 'main' }), undefined);
    assert.deepEqual(await listCachedModels(cacheDir), []);
    const result = await downloadModel(options());
    assert.equal(result.folder, snapshot);
    const fetched = cdnGets().map((r) => r.path);
    assert.deepEqual(fetched, [`/${sha256(fixtureBytes('model.safetensors'))}`], 'only the weights were missing (tokenizer.json was there)');
  });
});
