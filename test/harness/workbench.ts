// Drives code-server's web workbench like a person would: explorer, quick open, command palette,
// editor selections, hovers and webviews, through playwright-core and Debian's Chromium.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, FrameLocator, Locator, Page } from 'playwright-core';
import { launchChromium } from './chromium';
import type { CodeServer } from './code-server';
import { testResultsDir } from './paths';

export interface OpenWorkbenchOptions {
  /** Folder (or file, opened in the workspace) to show; default the server's workspace. */
  folder?: string;
  /** Start Chromium with --enable-unsafe-webgpu (a SwiftShader software adapter) instead of --disable-gpu. */
  webgpu?: boolean;
  /** Milliseconds to wait for the workbench to show the explorer (default 60 s). */
  timeoutMs?: number;
}

export interface Workbench {
  browser: Browser;
  page: Page;
  /** Closes the browser (the server is the caller's to stop). */
  close(): Promise<void>;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function openWorkbench(server: CodeServer, options: OpenWorkbenchOptions = {}): Promise<Workbench> {
  const browser = await launchChromium({ webgpu: options.webgpu });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.url(options.folder));
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: options.timeoutMs ?? 60_000 });
    return { browser, page, close: () => browser.close() };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

/** The editor tab of a file name, e.g. "sample.py". */
export function editorTab(page: Page, name: string): Locator {
  return page.locator('.tabs-container .tab', { has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(name)}$`) }) });
}

/** Opens a workspace file by name: double-click in the explorer when it is listed there, otherwise quick open. */
export async function openFile(page: Page, name: string, timeoutMs = 30_000): Promise<void> {
  const row = page.locator('.explorer-folders-view .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(path.basename(name))}$`) }),
  });
  if (!name.includes('/') && (await row.count()) > 0) {
    await row.first().dblclick();
  } else {
    await page.keyboard.press('Control+P');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: 5_000 });
    await input.fill(name);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: path.basename(name) }).first().waitFor({ timeout: timeoutMs });
    await page.keyboard.press('Enter');
  }
  await editorTab(page, path.basename(name)).and(page.locator('.active')).waitFor({ timeout: timeoutMs });
  await page.locator('.editor-instance .monaco-editor .view-lines').first().waitFor({ timeout: timeoutMs });
}

/** A rendered piece of text in the active editor, e.g. to hover it (only lines on screen are rendered). */
export function editorText(page: Page, text: string): Locator {
  return page.locator('.editor-instance .view-lines .view-line span span', { hasText: text }).first();
}

export type TextSelection =
  /** The first occurrence of this text after the cursor, found with the editor's find widget. */
  | string
  /** `length` characters from line:column (1-based), on one line. */
  | { line: number; column?: number; length: number }
  /** Whole lines from `line`, `lines` of them. */
  | { line: number; lines: number }
  | { all: true };

/** Selects text in the active editor with the keyboard. */
export async function selectText(page: Page, selection: TextSelection): Promise<void> {
  await focusEditor(page);
  if (typeof selection === 'string') {
    await page.keyboard.press('Control+F');
    const find = page.locator('.editor-widget.find-widget textarea, .editor-widget.find-widget input').first();
    await find.waitFor({ state: 'visible', timeout: 5_000 });
    await find.fill(selection);
    await page.locator('.find-widget .matchesCount', { hasText: /\d+ of \d+/ }).waitFor({ timeout: 5_000 })
      .catch(() => { throw new Error(`selectText: "${selection}" is not in the active editor`); });
    await page.keyboard.press('Enter');
    // Closing the find widget leaves the match selected.
    await page.keyboard.press('Escape');
    return;
  }
  if ('all' in selection) {
    await page.keyboard.press('Control+A');
    return;
  }
  await goToLine(page, selection.line, 'column' in selection ? selection.column ?? 1 : 1);
  const [key, count] = 'lines' in selection ? ['Shift+ArrowDown', selection.lines] : ['Shift+ArrowRight', selection.length];
  for (let i = 0; i < count; i++) await page.keyboard.press(key);
}

async function focusEditor(page: Page): Promise<void> {
  const editor = page.locator('.editor-instance .monaco-editor textarea.inputarea, .editor-instance .monaco-editor .native-edit-context').first();
  await editor.waitFor({ state: 'attached', timeout: 10_000 });
  await editor.focus();
}

async function goToLine(page: Page, line: number, column: number): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible', timeout: 5_000 });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: 5_000 });
}

/**
 * Runs a command from the palette by its full title ("Category: Title"). The palette lists the
 * commands registered when it opens, so while an extension is still activating it is closed and
 * opened again until the command shows up.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  const row = page.locator('.quick-input-list .monaco-list-row', {
    has: page.locator('.label-name', { hasText: new RegExp(`^${escapeRegExp(title)}$`) }),
  }).first();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 5_000 });
    await input.fill(`>${title}`);
    try {
      await row.waitFor({ timeout: 2_000 });
      break;
    } catch (error) {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`command "${title}" did not appear in the command palette within ${timeoutMs} ms`);
    }
  }
  await row.click();
  await input.waitFor({ state: 'hidden', timeout: 5_000 });
}

/**
 * The content frame of a webview panel: the workbench hosts each webview in iframe.webview, which
 * loads the extension's HTML into its own #active-frame. `index` picks among several (default: the last opened).
 */
export function webviewFrame(page: Page, index = -1): FrameLocator {
  const hosts = page.frameLocator('iframe.webview.ready');
  return (index < 0 ? hosts.last() : hosts.nth(index)).frameLocator('#active-frame');
}

export interface HoverOptions {
  /** Wait until the hover's text matches this (hovers may show "Loading..." first). */
  hasText?: string | RegExp;
  timeoutMs?: number;
}

/**
 * Screen point at the middle of the first rendered occurrence of `text` in the active editor
 * (one rendered line; the editor splits lines into token spans, so this measures a DOM range).
 */
export async function editorTextPoint(page: Page, text: string): Promise<{ x: number; y: number }> {
  const line = page.locator('.editor-instance .view-lines .view-line', { hasText: text }).first();
  await line.waitFor({ timeout: 10_000 });
  // No named functions inside: tsx would wrap them in a __name() helper that the page lacks.
  const box = await line.evaluate((element, wanted) => {
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    const nodes: Text[] = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node as Text);
    // Rendered text uses non-breaking spaces where the source has spaces.
    const start = nodes.map((n) => n.data).join('').replace(/\u00a0/g, ' ').indexOf(wanted);
    if (start < 0) return null;
    const range = document.createRange();
    let offset = 0;
    for (const node of nodes) {
      const end = offset + node.data.length;
      if (start >= offset && start < end) range.setStart(node, start - offset);
      if (start + wanted.length > offset && start + wanted.length <= end) range.setEnd(node, start + wanted.length - offset);
      offset = end;
    }
    const rect = range.getBoundingClientRect();
    return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
  }, text);
  if (!box) throw new Error(`"${text}" is not rendered on one line of the active editor`);
  return box;
}

/**
 * Hovers `target` (an element, or a piece of text in the active editor) until a hover widget
 * shows, and returns the widget's text.
 */
export async function hover(page: Page, target: Locator | { text: string }, options: HoverOptions = {}): Promise<string> {
  const widget = page.locator('.monaco-hover:not(.hidden)', options.hasText ? { hasText: options.hasText } : {}).first();
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    // Leaving and re-entering is what triggers a new hover request.
    await page.mouse.move(1, 1);
    if ('text' in target) {
      const { x, y } = await editorTextPoint(page, target.text);
      await page.mouse.move(x, y, { steps: 2 });
    } else {
      await target.hover();
    }
    try {
      await widget.waitFor({ state: 'visible', timeout: 3_000 });
      return (await widget.innerText()).trim();
    } catch (error) {
      if (Date.now() > deadline) {
        const what = 'text' in target ? `"${target.text}"` : String(target);
        throw new Error(`no hover${options.hasText ? ` matching ${options.hasText}` : ''} appeared over ${what}`);
      }
    }
  }
}

/** Saves a full-page screenshot as test-results/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(testResultsDir, { recursive: true });
  const file = path.join(testResultsDir, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}
