// What the webview tests compare: a panel page that explained a text, and the engine's own
// analysis of the same text in Node (WASM, the bundled model).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-web';
import type { Browser, Page } from 'playwright-core';
import { LensEngine } from '../../src/engine/engine';
import { tokenize } from '../../src/engine/tokenizer';
import type { Analysis } from '../../src/engine/types';
import { defaultModelDir, loadCheckpointFromDir } from '../../src/node/load-model';
import { launchChromium, serveStatic, type StaticServer } from '../harness/chromium';
import { repoRoot, testResultsDir } from '../harness/paths';

export interface ReferencePanel {
  browser: Browser;
  server: StaticServer;
  page: Page;
  engine: LensEngine;
  /** The engine's analysis of the text, with attention and hidden states. */
  analysis: Analysis;
  close(): Promise<void>;
}

/** Analyses `text` with the engine, then opens the page with `openPage` (which explains the same text). */
export async function openReferencePanel(text: string, openPage: (browser: Browser, server: StaticServer) => Promise<Page>): Promise<ReferencePanel> {
  assert.ok(fs.existsSync(path.join(repoRoot, 'dist/webview.js')), 'run `npm run build` first');
  const engine = await LensEngine.create(await loadCheckpointFromDir(defaultModelDir()), { ort, backend: 'wasm' });
  const analysis = await engine.analyze(tokenize(text).map((t) => t.id), { attention: true, hidden: true });
  fs.mkdirSync(testResultsDir, { recursive: true });
  const server = await serveStatic(repoRoot);
  const browser = await launchChromium({ webgpu: false });
  const page = await openPage(browser, server);
  return {
    browser, server, page, engine, analysis,
    async close() {
      await browser.close();
      await server.close();
      await engine.dispose();
    },
  };
}
