// A local stand-in for the Hugging Face hub on 127.0.0.1, speaking the interface huggingface_hub
// and LLM Lens use, serving the repository's fixture models:
//   GET  /api/models/{id}/revision/{rev}   {"id", "sha", "siblings": [{"rfilename"}], "gated", ...}
//   HEAD|GET /{id}/resolve/{rev}/{file}    a git file: 200, ETag "{git sha1}", X-Repo-Commit, Content-Length
//                                          an LFS file (*.safetensors, or over 1 MB): 302 to the second
//                                          server ("the CDN", another origin), with X-Linked-Etag
//                                          (sha256), X-Linked-Size and X-Repo-Commit
//   GET  {cdn}/{sha256}                     the bytes; Range: bytes=N- answers 206 with Content-Range
// A gated repository answers 401 without the token (and with a wrong one); an unknown one 404
// (the real hub says 401 RepoNotFound to an anonymous client, which the client reads the same way).
// Faults for the tests: cut the connection after N bytes of a file, serve it corrupted, answer
// with a web page, or send slowly. Every request is recorded, with the bytes sent.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';

export const TEST_TOKEN = 'hf_llmlens_test_token';

export interface RecordedRequest {
  server: 'hub' | 'cdn';
  method: string;
  path: string;
  range?: string;
  authorization?: string;
  status: number;
  /** Body bytes sent (a cut answer counts what went out before the cut). */
  bytesSent: number;
}

export interface FixtureRepo {
  commit: string;
  files: Map<string, Buffer>;
  gated: boolean;
}

export interface Faults {
  /** Cut the connection after this many body bytes of the named file's next transfers (`times` of them). */
  cut?: { file: string; afterBytes: number; times: number };
  /** Serve these files with one byte changed (the headers keep the true hash). */
  corrupt?: Set<string>;
  /** Answer these files' downloads with a web page. */
  html?: Set<string>;
  /** Answer the API with a web page (a captive portal). */
  htmlApi?: boolean;
  /** Send file bodies in chunks of `chunkBytes` with `delayMs` between them. */
  slow?: { chunkBytes: number; delayMs: number };
  /** Never answer the API; or send this many bytes of the named file and then nothing, the connection left open. */
  hang?: 'api' | { file: string; afterBytes: number };
}

export interface FakeHub {
  endpoint: string;
  cdnOrigin: string;
  requests: RecordedRequest[];
  faults: Faults;
  addRepo(id: string, files: Record<string, Buffer | string>, options?: { gated?: boolean }): FixtureRepo;
  /** A fixture folder's files (config, safetensors, tokenizer files) as a repository. */
  addFixture(id: string, folder: string, options?: { gated?: boolean; extra?: Record<string, Buffer | string> }): FixtureRepo;
  repo(id: string): FixtureRepo;
  /** Body bytes the CDN and the hub sent for files, in total. */
  fileBytesSent(): number;
  close(): Promise<void>;
}

export function gitBlobSha1(bytes: Buffer): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes as Uint8Array).digest('hex');
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes as Uint8Array).digest('hex');
}

export function isLfs(file: string, bytes: Buffer): boolean {
  return file.endsWith('.safetensors') || bytes.length > 1024 * 1024;
}

/** The files LLM Lens reads from a fixture folder (reference.json and others stay out). */
export const MODEL_FILES = ['config.json', 'model.safetensors', 'model.safetensors.index.json', 'tokenizer.json', 'tokenizer_config.json', 'generation_config.json'];

export interface FakeHubOptions {
  /**
   * Host names for the hub's and the CDN's URLs instead of 127.0.0.1 (both servers still listen
   * there): names no resolver knows, so that only a proxy that maps them (startForwardProxy's
   * `hosts`) reaches them. VS Code never proxies 127.0.0.1.
   */
  hubHost?: string;
  cdnHost?: string;
}

export async function startFakeHub(options: FakeHubOptions = {}): Promise<FakeHub> {
  const repos = new Map<string, FixtureRepo>();
  const bySha = new Map<string, { file: string; bytes: Buffer }>();
  const requests: RecordedRequest[] = [];
  const faults: Faults = {};

  const record = (server: RecordedRequest['server'], req: http.IncomingMessage, res: http.ServerResponse, counter: { bytes: number }) => {
    const entry: RecordedRequest = { server, method: req.method ?? '', path: decodeURIComponent((req.url ?? '').split('?')[0]!), status: 0, bytesSent: 0 };
    if (req.headers.range) entry.range = req.headers.range;
    if (req.headers.authorization) entry.authorization = req.headers.authorization;
    requests.push(entry);
    res.on('close', () => {
      entry.status = res.statusCode;
      entry.bytesSent = counter.bytes;
    });
  };

  const authorised = (req: http.IncomingMessage) => req.headers.authorization === `Bearer ${TEST_TOKEN}`;

  const refuse = (res: http.ServerResponse, status: number, code: string, message: string) => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'X-Error-Code': code });
    res.end(JSON.stringify({ error: message }));
  };

  /** Sends `body` (or its [start, end] slice), honouring the faults; counts what went out. */
  const sendBody = async (res: http.ServerResponse, file: string, body: Buffer, counter: { bytes: number }) => {
    let bytes = body;
    if (faults.corrupt?.has(file)) {
      bytes = Buffer.from(body as Uint8Array);
      if (bytes.length > 0) bytes[bytes.length >> 1]! ^= 0xff;
    }
    const cut = faults.cut && faults.cut.file === file && faults.cut.times > 0 ? faults.cut : undefined;
    if (cut) cut.times--;
    const hang = typeof faults.hang === 'object' && faults.hang.file === file ? faults.hang : undefined;
    const limit = cut ? Math.min(cut.afterBytes, bytes.length) : hang ? Math.min(hang.afterBytes, bytes.length) : bytes.length;
    const chunk = faults.slow?.chunkBytes ?? 256 * 1024;
    for (let at = 0; at < limit; at += chunk) {
      if (res.destroyed) return;
      const piece = bytes.subarray(at, Math.min(limit, at + chunk));
      counter.bytes += piece.length;
      if (!res.write(piece)) await new Promise((resolve) => res.once('drain', resolve));
      if (faults.slow) await new Promise((resolve) => setTimeout(resolve, faults.slow!.delayMs));
    }
    if (hang) return; // silence, with the connection open
    if (cut) {
      // The network drops mid-file: no more bytes, and the connection ends before the length it
      // announced. Ended with a FIN once every counted byte has left the process: destroying the
      // socket at once (a reset) let the client lose up to 25 kB still in flight on a busy machine.
      for (let waited = 0; waited < 5000 && (res.writableLength > 0 || (res.socket?.writableLength ?? 0) > 0); waited += 5) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const socket = res.socket;
      socket?.end();
      setTimeout(() => socket?.destroy(), 2000).unref();
      return;
    }
    res.end();
  };

  const hub = http.createServer((req, res) => {
    const counter = { bytes: 0 };
    record('hub', req, res, counter);
    void handleHub(req, res, counter).catch((error) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  const cdn = http.createServer((req, res) => {
    const counter = { bytes: 0 };
    record('cdn', req, res, counter);
    void handleCdn(req, res, counter).catch(() => res.destroy());
  });
  await Promise.all([hub, cdn].map((server) => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))));
  const endpoint = `http://${options.hubHost ?? '127.0.0.1'}:${(hub.address() as AddressInfo).port}`;
  const cdnOrigin = `http://${options.cdnHost ?? '127.0.0.1'}:${(cdn.address() as AddressInfo).port}`;

  async function handleHub(req: http.IncomingMessage, res: http.ServerResponse, counter: { bytes: number }): Promise<void> {
    const url = new URL(req.url ?? '/', endpoint);
    const parts = url.pathname.split('/').map(decodeURIComponent);
    if (faults.hang === 'api') return; // accepted, never answered
    if (faults.htmlApi) {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!doctype html><html><body>Please log in to the hotel Wi-Fi</body></html>');
      return;
    }
    // /api/models/{org}/{name}/revision/{rev}, or /api/models/{name}/revision/{rev}
    if (parts[1] === 'api' && parts[2] === 'models') {
      const at = parts.indexOf('revision');
      const id = parts.slice(3, at).join('/');
      const revision = parts.slice(at + 1).join('/');
      const repo = repos.get(id);
      if (!repo) return refuse(res, 404, 'RepoNotFound', 'Repository not found');
      if (repo.gated && !authorised(req)) return refuse(res, 401, 'GatedRepo', `Access to model ${id} is restricted. You must be authenticated to access it.`);
      if (revision !== 'main' && revision !== repo.commit) return refuse(res, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ _id: id, id, sha: repo.commit, private: false, gated: repo.gated ? 'manual' : false, downloads: 0, likes: 0, lastModified: '2025-01-01T00:00:00.000Z', siblings: [...repo.files.keys()].map((rfilename) => ({ rfilename })) }));
      return;
    }
    // /{id...}/resolve/{rev}/{file...}
    const resolveAt = parts.indexOf('resolve');
    if (resolveAt > 1) {
      const id = parts.slice(1, resolveAt).join('/');
      const revision = parts[resolveAt + 1]!;
      const file = parts.slice(resolveAt + 2).join('/');
      const repo = repos.get(id);
      if (!repo) return refuse(res, 404, 'RepoNotFound', 'Repository not found');
      if (repo.gated && !authorised(req)) return refuse(res, 401, 'GatedRepo', 'Access restricted');
      if (revision !== 'main' && revision !== repo.commit) return refuse(res, 404, 'RevisionNotFound', 'Invalid rev id');
      const bytes = repo.files.get(file);
      if (!bytes) return refuse(res, 404, 'EntryNotFound', `${file} does not exist`);
      if (isLfs(file, bytes)) {
        const hash = sha256(bytes);
        res.writeHead(302, {
          Location: `${cdnOrigin}/${hash}`,
          'X-Linked-Etag': `"${hash}"`,
          'X-Linked-Size': String(bytes.length),
          'X-Repo-Commit': repo.commit,
          ETag: `"${hash}"`,
        });
        res.end();
        return;
      }
      const headers = { ETag: `"${gitBlobSha1(bytes)}"`, 'X-Repo-Commit': repo.commit, 'Content-Length': String(bytes.length), 'Content-Type': file.endsWith('.json') ? 'application/json' : 'text/plain' };
      if (faults.html?.has(file)) {
        res.writeHead(200, { 'Content-Type': 'text/html', 'X-Repo-Commit': repo.commit, ETag: headers.ETag });
        res.end('<html><body>Sign in</body></html>');
        return;
      }
      res.writeHead(200, headers);
      if (req.method === 'HEAD') return void res.end();
      await sendBody(res, file, bytes, counter);
      return;
    }
    refuse(res, 404, 'NotFound', 'not found');
  }

  async function handleCdn(req: http.IncomingMessage, res: http.ServerResponse, counter: { bytes: number }): Promise<void> {
    const hash = (req.url ?? '').slice(1).split('?')[0]!;
    const entry = bySha.get(hash);
    if (!entry) return void res.writeHead(404).end();
    const { file, bytes } = entry;
    if (req.headers.authorization) {
      // A CDN never needs the hub's token: the tests check that it never gets it.
      res.writeHead(400).end('unexpected Authorization');
      return;
    }
    if (faults.html?.has(file)) {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!DOCTYPE html><html><body>Access denied by your proxy</body></html>');
      return;
    }
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
      if (start >= bytes.length) {
        res.writeHead(416, { 'Content-Range': `bytes */${bytes.length}` }).end();
        return;
      }
      res.writeHead(206, { 'Content-Range': `bytes ${start}-${end}/${bytes.length}`, 'Content-Length': String(end - start + 1), 'Content-Type': 'application/octet-stream' });
      if (req.method === 'HEAD') return void res.end();
      await sendBody(res, file, bytes.subarray(start, end + 1), counter);
      return;
    }
    res.writeHead(200, { 'Content-Length': String(bytes.length), 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' });
    if (req.method === 'HEAD') return void res.end();
    await sendBody(res, file, bytes, counter);
  }

  const addRepo: FakeHub['addRepo'] = (id, files, options = {}) => {
    const map = new Map(Object.entries(files).map(([name, content]) => [name, Buffer.isBuffer(content) ? content : Buffer.from(content)]));
    const listing = [...map].map(([name, bytes]) => `${name} ${gitBlobSha1(bytes)}`).sort().join('\n');
    const commit = createHash('sha1').update(`${id}\n${listing}`).digest('hex');
    for (const [file, bytes] of map) if (isLfs(file, bytes)) bySha.set(sha256(bytes), { file, bytes });
    const repo = { commit, files: map, gated: options.gated ?? false };
    repos.set(id, repo);
    return repo;
  };

  return {
    endpoint,
    cdnOrigin,
    requests,
    faults,
    addRepo,
    addFixture(id, folder, options = {}) {
      const files: Record<string, Buffer | string> = { ...options.extra };
      for (const name of MODEL_FILES) {
        const file = path.join(folder, name);
        if (fs.existsSync(file)) files[name] = fs.readFileSync(file);
      }
      files['README.md'] ??= `# ${id}\nA fixture served by LLM Lens's test hub.\n`;
      return addRepo(id, files, options);
    },
    repo(id) {
      const repo = repos.get(id);
      if (!repo) throw new Error(`no fixture repository ${id}`);
      return repo;
    },
    fileBytesSent: () => requests.filter((r) => r.method === 'GET' && !r.path.startsWith('/api/')).reduce((sum, r) => sum + r.bytesSent, 0),
    close: async () => {
      for (const server of [hub, cdn]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

export interface ForwardProxy {
  url: string;
  /** The absolute URLs it forwarded, and "CONNECT host:port" for each tunnel it opened. */
  forwarded: string[];
  close(): Promise<void>;
}

/**
 * An HTTP forward proxy on 127.0.0.1: absolute-form requests, and CONNECT tunnels (undici's
 * ProxyAgent, which VS Code's fetch uses, tunnels even to http:// origins), recording what it
 * forwards; `hosts` are names it resolves to 127.0.0.1 itself.
 */
export async function startForwardProxy(hosts: readonly string[] = []): Promise<ForwardProxy> {
  const forwarded: string[] = [];
  const server = http.createServer((req, res) => {
    const target = req.url ?? '';
    if (!/^http:\/\//.test(target)) return void res.writeHead(400).end('absolute-form requests only');
    forwarded.push(target);
    const url = new URL(target);
    if (hosts.includes(url.hostname)) url.hostname = '127.0.0.1';
    const upstream = http.request(url, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    forwarded.push(`CONNECT ${req.url}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), hosts.includes(host!) ? '127.0.0.1' : host!, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head as Uint8Array);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
