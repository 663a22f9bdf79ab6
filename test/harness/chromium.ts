// Headless Debian Chromium for tests, and a loopback static server that can send the strict
// Content-Security-Policy the extension's webview uses.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { chromiumExecutable } from './paths';

/** Flags for a quiet, offline headless browser (no update checks, no sync, no first-run UI). */
export const QUIET_CHROMIUM_ARGS = [
  '--no-sandbox', // runs as root in CI containers
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface LaunchOptions {
  /**
   * Expose WebGPU. Headless Chromium here only offers SwiftShader, a software *fallback* adapter,
   * and only with --enable-unsafe-webgpu; without it navigator.gpu gives no adapter.
   */
  webgpu?: boolean;
  /** More flags, appended after the defaults. */
  args?: string[];
  /** Milliseconds to wait for the browser to start (default 60 s). */
  timeoutMs?: number;
}

export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  if (!fs.existsSync(chromiumExecutable)) {
    throw new Error(`Chromium not found at ${chromiumExecutable}: run scripts/setup-test-host.sh (installs Debian's chromium)`);
  }
  const args = [...QUIET_CHROMIUM_ARGS, ...(options.webgpu ? ['--enable-unsafe-webgpu'] : ['--disable-gpu']), ...(options.args ?? [])];
  return chromium.launch({
    executablePath: chromiumExecutable,
    headless: true,
    args,
    timeout: options.timeoutMs ?? 60_000,
    // Playwright adds --enable-unsafe-swiftshader by default; dropping it keeps WebGPU opt-in via `webgpu`.
    ignoreDefaultArgs: ['--enable-unsafe-swiftshader'],
  });
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface ServeOptions {
  /**
   * Content-Security-Policy sent with every HTML page. `{{NONCE}}` becomes a fresh random nonce
   * per response (also substituted into the HTML body) and `{{ORIGIN}}` the server's origin.
   */
  csp?: string;
  /** Extra headers on every response. */
  headers?: Record<string, string>;
}

export interface StaticServer {
  origin: string;
  port: number;
  /** Absolute URL of a path under the served root. */
  url(relativePath: string): string;
  /** Paths requested so far, in order (to check what a page fetched). */
  requests: string[];
  close(): Promise<void>;
}

/** Serves the files under `root` on 127.0.0.1 at a random port. Never serves outside `root`. */
export async function serveStatic(root: string, options: ServeOptions = {}): Promise<StaticServer> {
  const absRoot = path.resolve(root);
  const requests: string[] = [];
  const server = http.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;

  server.on('request', (req, res) => {
    const url = new URL(req.url ?? '/', origin);
    requests.push(url.pathname);
    const file = path.resolve(absRoot, '.' + decodeURIComponent(url.pathname));
    const headers: Record<string, string> = { 'Cache-Control': 'no-store', ...options.headers };
    if (file !== absRoot && !file.startsWith(absRoot + path.sep)) {
      res.writeHead(403, headers).end('outside the served folder');
      return;
    }
    fs.stat(file, (err, stat) => {
      if (err || !stat.isFile()) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found: ' + url.pathname);
        return;
      }
      const ext = path.extname(file);
      headers['Content-Type'] = CONTENT_TYPES[ext] ?? 'application/octet-stream';
      if (ext === '.html') {
        const nonce = crypto.randomBytes(16).toString('base64');
        if (options.csp) headers['Content-Security-Policy'] = options.csp.replaceAll('{{NONCE}}', nonce).replaceAll('{{ORIGIN}}', origin);
        res.writeHead(200, headers).end(fs.readFileSync(file, 'utf8').replaceAll('{{NONCE}}', nonce));
        return;
      }
      headers['Content-Length'] = String(stat.size);
      res.writeHead(200, headers);
      fs.createReadStream(file).pipe(res);
    });
  });

  return {
    origin,
    port,
    url: (relativePath) => new URL(relativePath.replace(/^\/*/, '/'), origin).href,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
