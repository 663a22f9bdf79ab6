// The panel page the webview browser tests load: the HTML the extension builds (its CSP, the
// stylesheet, dist/webview.js), with a stand-in for acquireVsCodeApi that records what the panel
// posts, and the explain messages the host would send.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildExplainMessage } from '../../src/commands/explain-request';
import { countTokens, loadEncoding, openAiTokenizer } from '../../src/engine/tokenizer';
import type { Tokenizer } from '../../src/engine/tokenizer-interface';
import { contentSecurityPolicy } from '../../src/panel/webview-html';
import type { BackendPreference } from '../../src/engine/types';
import { ENCODINGS, type EncodingCounts, type ExplainMessage, type HostMessage, type InitMessage, type WebviewMessage } from '../../src/protocol';
import type { StaticServer } from '../harness/chromium';
import { repoRoot } from '../harness/paths';

declare global {
  interface Window {
    /** Every message the panel posted to the host, in order. */
    __posted: WebviewMessage[];
    /** Content-Security-Policy violations the page reported. */
    __violations: string[];
  }
}

const PAGE_DIR = 'out/test/webview';

/** Writes the page for resources served by `origin`; returns its path relative to the repository. */
export function writePanelPage(origin: string, name: string): string {
  const dir = path.join(repoRoot, PAGE_DIR);
  fs.mkdirSync(dir, { recursive: true });
  // serveStatic replaces {{NONCE}} with a fresh nonce for each request.
  const csp = contentSecurityPolicy(origin, '{{NONCE}}');
  fs.writeFileSync(
    path.join(dir, name),
    `<!DOCTYPE html><html><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<link rel="stylesheet" href="/media/lens.css"></head>
<body><main id="lens-root"></main>
<script nonce="{{NONCE}}">
window.__posted = []; window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.effectiveDirective + ' ' + (e.blockedURI || e.sample)));
window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))), getState: () => undefined, setState: () => undefined });
</script>
<script type="module" nonce="{{NONCE}}" src="/dist/webview.js"></script></body></html>`,
  );
  return `${PAGE_DIR}/${name}`;
}

export async function tokenCounts(text: string): Promise<EncodingCounts> {
  await Promise.all(ENCODINGS.map((e) => loadEncoding(e)));
  return Object.fromEntries(ENCODINGS.map((e) => [e, countTokens(text, e)])) as EncodingCounts;
}

/** The explain message the host sends for `text` selected in a file, tokenized by the model's tokenizer (the bundled model's r50k_base by default). */
export async function explainMessage(runId: number, text: string, options: { topK?: number; contextTokens?: number; fileName?: string; tokenizer?: Tokenizer } = {}): Promise<ExplainMessage> {
  const tokenizer = options.tokenizer ?? openAiTokenizer('r50k_base');
  const tokens = tokenizer.tokenize(text);
  return buildExplainMessage({
    runId, kind: 'selection', fileName: options.fileName ?? 'sample.txt', firstLine: 0, lastLine: 0, text, tokens, totalTokens: tokens.length,
    counts: await tokenCounts(text), modelCount: { tokenizer: tokenizer.name, count: tokens.length }, settings: { topK: options.topK ?? 5, temperature: 1, heatMapMode: 'rank' }, contextTokens: options.contextTokens ?? 512,
  });
}

/** Webview-style URIs of a single-file model folder (config.json + model.safetensors) served by `server`. */
export function modelUris(server: StaticServer, folder: string): InitMessage['model'] {
  return { configUri: server.url(`${folder}/config.json`), weights: [{ name: 'model.safetensors', uri: server.url(`${folder}/model.safetensors`) }] };
}

/** Webview-style URIs of a model folder with its tokenizer (tokenizer.json + tokenizer_config.json). */
export function modelWithTokenizerUris(server: StaticServer, folder: string): InitMessage['model'] {
  return { ...modelUris(server, folder), tokenizerUri: server.url(`${folder}/tokenizer.json`), tokenizerConfigUri: server.url(`${folder}/tokenizer_config.json`) };
}

/** The init message for a model (its name and files) and the runtime, served by `server`. */
export function modelInit(server: StaticServer, modelName: string, model: InitMessage['model'], options: { backend?: BackendPreference; language?: string } = {}): InitMessage {
  return {
    type: 'init', modelName, model,
    wasmUri: server.url('dist/ort/ort-wasm-simd-threaded.asyncify.wasm'),
    engineUri: server.url('dist/webview-engine.js'),
    backend: options.backend ?? 'wasm', settings: { topK: 5, temperature: 1, heatMapMode: 'rank' },
    ...(options.language ? { language: options.language } : {}),
  };
}

/** The init message for the bundled model and the runtime, served by `server`. */
export function bundledModelInit(server: StaticServer, options: { backend?: BackendPreference; language?: string } = {}): InitMessage {
  return modelInit(server, 'tiny-gpt2-software', modelUris(server, 'media/models/tiny-gpt2-software'), options);
}

/** Posts a host message into the page, as the extension would. */
export async function sendToPanel(page: Page, message: HostMessage): Promise<void> {
  await page.evaluate((m) => window.postMessage(m, '*'), message);
}

/**
 * A panel page on WASM with the bundled model that has explained `text` (run 1): resolves once
 * the panel posted the analysis, or that the run failed.
 */
export async function openExplainedPanel(
  browser: Browser,
  server: StaticServer,
  options: { pageName: string; text: string; language?: string; contextTokens?: number },
): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
  await page.goto(server.url(writePanelPage(server.origin, options.pageName)));
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'), null, { timeout: 30_000 });
  await sendToPanel(page, bundledModelInit(server, { language: options.language }));
  await sendToPanel(page, await explainMessage(1, options.text, { contextTokens: options.contextTokens }));
  await page.waitForFunction(() => window.__posted.some((m) => m.type === 'analysis' || m.type === 'runFailed'), null, { timeout: 120_000 });
  return page;
}
