// Node side of the test pages in test/browser/ (built into out/test/browser/ by
// scripts/build-tests.mjs): the repository served under the webview's own CSP, Chromium with
// WebGPU (SwiftShader), and one page run that returns what the page reported (page-report.ts).
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { launchChromium, serveStatic, type StaticServer } from '../harness/chromium';
import { repoRoot } from '../harness/paths';
import { contentSecurityPolicy } from '../../src/panel/webview-html';

/**
 * The panel's own policy (placeholders filled per page by serveStatic): scripts by nonce, WASM
 * compilation, fetches from the resource origin only.
 */
export const WEBVIEW_CSP = contentSecurityPolicy('{{ORIGIN}}', '{{NONCE}}');

export interface PageRun<R> {
  result: R;
  /** CSP complaints in the console. */
  consoleCsp: string[];
  pageErrors: string[];
}

export interface TestPages {
  server: StaticServer;
  browser: Browser;
  /** Loads out/test/browser/`name`.html?`query` in a fresh tab and waits for its result. */
  run<R>(name: string, query: Record<string, string>, timeoutMs: number): Promise<PageRun<R>>;
  close(): Promise<void>;
}

function requireBuilt(relativePath: string, how: string): void {
  if (!fs.existsSync(path.join(repoRoot, relativePath))) throw new Error(`${relativePath} is missing: run ${how}`);
}

/** Serves the repository with the webview's CSP and starts Chromium, once the runtime and `page`'s bundle are built. */
export async function openTestPages(page: string): Promise<TestPages> {
  requireBuilt('dist/ort/ort-wasm-simd-threaded.asyncify.wasm', 'node scripts/build.mjs');
  requireBuilt(`out/test/browser/${page}.js`, 'node scripts/build-tests.mjs');
  const server = await serveStatic(repoRoot, { csp: WEBVIEW_CSP });
  const browser = await launchChromium({ webgpu: true });
  return {
    server,
    browser,
    async run<R>(name: string, query: Record<string, string>, timeoutMs: number): Promise<PageRun<R>> {
      const tab = await browser.newPage();
      const consoleCsp: string[] = [];
      const pageErrors: string[] = [];
      tab.on('console', (m) => {
        if (/Content[- ]Security[- ]Policy|Refused to/i.test(m.text())) consoleCsp.push(m.text());
      });
      tab.on('pageerror', (e) => pageErrors.push(e.message));
      try {
        await tab.goto(server.url(`/out/test/browser/${name}.html?${new URLSearchParams(query)}`));
        await tab.waitForFunction(() => window.__pageResult !== undefined, null, { timeout: timeoutMs, polling: 250 });
        return { result: (await tab.evaluate(() => window.__pageResult)) as R, consoleCsp, pageErrors };
      } finally {
        await tab.close();
      }
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}
