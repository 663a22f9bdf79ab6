// The real panel bundle in headless Chromium (WASM) with what a hostile or unusual model folder
// and file bring: a right-to-left override in the file name must not reorder the header, and a
// padded vocabulary (50,304 rows, nanoGPT style) whose ids without text lead every ranking must
// show them as "<id>" in the distribution and the logit lens.
// Needs `npm run build` and Debian chromium (scripts/setup-test-host.sh).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { bundledModelInit, explainMessage, modelUris, sendToPanel, writePanelPage } from './panel-page';
import { launchChromium, serveStatic, type StaticServer } from '../harness/chromium';
import { PADDED_FAVOURITE, paddedGpt2, writeCheckpoint } from '../harness/checkpoint-files';
import { repoRoot } from '../harness/paths';

const TEXT = 'Returns the number of elements in the list.';
/** Shows as "photoexe.png" in a file manager: the override turns "gnp.exe" around. */
const RLO_FILE = 'photo\u202egnp.exe';
const MODEL_DIR = 'out/test/webview/padded-gpt2';

describe('a hostile file name and a padded vocabulary in the panel (WASM)', () => {
  let browser: Browser;
  let server: StaticServer;
  let page: Page;

  before(async () => {
    assert.ok(fs.existsSync(path.join(repoRoot, 'dist/webview.js')), 'run `npm run build` first');
    const { config, weights } = paddedGpt2();
    writeCheckpoint(path.join(repoRoot, MODEL_DIR), config, weights);
    server = await serveStatic(repoRoot);
    browser = await launchChromium({ webgpu: false });
    page = await browser.newPage({ viewport: { width: 900, height: 1000 } });
    await page.goto(server.url(writePanelPage(server.origin, 'untrusted.html')));
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'ready'), null, { timeout: 30_000 });
    await sendToPanel(page, {
      ...bundledModelInit(server),
      modelName: 'padded-gpt2',
      model: modelUris(server, MODEL_DIR),
    });
    await sendToPanel(page, await explainMessage(1, TEXT, { fileName: RLO_FILE }));
    const ended = await page.waitForFunction(() => window.__posted.find((m) => m.type === 'analysis' || m.type === 'runFailed'), null, { timeout: 120_000 });
    const message = (await ended.jsonValue()) as { type: string };
    assert.equal(message.type, 'analysis', JSON.stringify(message));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('a right-to-left override in the file name stays inside the name: the rest of the header reads left to right', async () => {
    const header = page.locator('.summary .source');
    assert.ok((await header.textContent())!.startsWith('Selection in '));
    // Where each character of the header is drawn (no named functions in the page: tsx would wrap them in a helper the page lacks).
    const { text, lefts } = await header.evaluate((element) => {
      const node = element.firstChild as Text;
      const range = document.createRange();
      const out: number[] = [];
      for (let i = 0; i < node.data.length; i++) {
        range.setStart(node, i);
        range.setEnd(node, i + 1);
        out.push(range.getBoundingClientRect().left);
      }
      return { text: node.data, lefts: out };
    });
    const at = (from: number, length: number) => lefts.slice(from, from + length);
    const positions = {
      before: at(0, 'Selection'.length),
      after: at(text.lastIndexOf(', line 1'), ', line 1'.length),
      name: lefts[text.indexOf('photo')]!,
    };
    const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]!);
    assert.ok(increasing(positions.before), `"Selection" drawn at ${positions.before}`);
    assert.ok(increasing(positions.after), `", line 1" drawn right to left, at ${positions.after}`);
    assert.ok(positions.after[0]! > positions.name, 'the line number comes after the name');
  });

  test('the distribution lists ids without text as <id>', async () => {
    await page.locator('.chip[data-index="2"]').click();
    await page.waitForFunction(
      () => !document.querySelector('.distribution')?.classList.contains('busy') &&
        (document.querySelectorAll('.distribution .bar-row').length > 0 || document.querySelector('.distribution-status.error')),
      null,
      { timeout: 60_000 },
    );
    const status = page.locator('.distribution-status.error');
    assert.equal(await status.count(), 0, `the distribution failed: ${await status.first().textContent().catch(() => '')}`);
    const first = page.locator('.distribution .bar-row').first();
    assert.equal(await first.getAttribute('data-id'), String(PADDED_FAVOURITE));
    assert.equal(await first.locator('.token-label').textContent(), '<50300>');
    // The top 5 (topK) are padded ids; the token that actually came next follows them, with its text.
    const labels = await page.locator('.distribution .bar-row .token-label').allTextContents();
    assert.deepEqual(labels.slice(0, 5), ['<50300>', '<50303>', '<50302>', '<50301>', '<50299>']);
  });

  test('the logit lens names ids without text <id>', async () => {
    await page.locator('[data-tab="logit-lens"]').click();
    await page.waitForSelector('.logit-lens-view .lens-cell, .logit-lens-view .error-text', { timeout: 60_000 });
    const failure = page.locator('.logit-lens-view .error-text');
    assert.equal(await failure.count(), 0, `the logit lens failed: ${await failure.first().textContent().catch(() => '')}`);
    const cells = page.locator('.lens-cell');
    assert.ok((await cells.count()) > 0);
    const tokens = await page.locator('.lens-cell .lens-token').allTextContents();
    assert.ok(tokens.every((text) => text === '<50300>'), JSON.stringify(tokens.slice(0, 5)));
  });

  test('no page error', async () => {
    const errors = await page.evaluate(() => window.__posted.filter((m) => m.type === 'log' && m.level === 'error'));
    assert.deepEqual(errors, []);
  });
});
