// panel_cold_ready_ms (issue 13): Explain Tokens in a fresh window, until the bundled model's
// numbers are on screen (the heat map and the footer's load time), split by the panel's own
// measurements (the footer's data-*-ms: fetch, tokenizer, runtime start, weights and graphs,
// sessions, first run). Each round is a fresh code-server and a fresh Chromium profile, as a
// user's first Explain Tokens of a VS Code window. Between them, the same steps with
// bench/empty-webview instead of LLM Lens: a panel that draws the selection from one message,
// what any webview costs in that window (the floor). Merged into bench/results.json.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { startCodeServer } from '../test/harness/code-server';
import { repoRoot, workspaceFixture } from '../test/harness/paths';
import { openFile, openWorkbench, runCommand, selectText, webviewFrame } from '../test/harness/workbench';
import { median, round } from './timing';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const PARTS = ['fetch', 'tokenizer', 'runtime', 'graphs', 'sessions', 'first-run', 'shared-load'] as const;

/**
 * A fresh code-server and Chromium profile with `extension` loaded, sample.py's lines 13-17
 * selected and `command` run from the palette; `measure` reads the page from there, given the time
 * the command was asked for.
 */
async function inFreshWindow<R>(extension: string, command: string, measure: (page: Page, started: number) => Promise<R>): Promise<R> {
  const server = await startCodeServer({ workspace: workspaceFixture, extensionDevelopmentPath: extension });
  try {
    const workbench = await openWorkbench(server);
    try {
      const { page } = workbench;
      await openFile(page, 'sample.py');
      await selectText(page, { line: 13, lines: 5 });
      const started = Date.now();
      await runCommand(page, command);
      return await measure(page, started);
    } finally {
      await workbench.close();
    }
  } finally {
    await server.stop();
  }
}

function oneRound(): Promise<Record<string, number>> {
  return inFreshWindow(repoRoot, 'LLM Lens: Explain Tokens', async (page, started) => {
    const panel = webviewFrame(page);
    await panel.locator('.chip').first().waitFor({ timeout: 60_000 });
    const tokensMs = Date.now() - started;
    await panel.locator('.chip[class*="heat-"]').first().waitFor({ timeout: 120_000 });
    await panel.locator('.footer .load').waitFor({ timeout: 10_000 });
    const readyMs = Date.now() - started;
    const parts = await panel.locator('.footer .load').evaluate(
      (e, names) => Object.fromEntries(['load', ...names].map((k) => [k, Number(e.getAttribute(`data-${k}-ms`))])),
      [...PARTS],
    );
    // Where the model ran: 1 in the extension host's worker (loaded once, shared with the hover), 0 in the panel.
    const inHost = (await panel.locator('.footer .backend').getAttribute('data-where')) === 'host' ? 1 : 0;
    return { ready_ms: readyMs, tokens_ms: tokensMs, numbers_after_chips_ms: readyMs - tokensMs, in_host: inHost, ...parts };
  });
}

/** The floor: bench/empty-webview's panel in the same fresh window, timed as oneRound times LLM Lens's chips. */
function emptyWebviewRound(): Promise<number> {
  return inFreshWindow(path.join(repoRoot, 'bench', 'empty-webview'), 'LLM Lens Bench: Open an Empty Webview', async (page, started) => {
    await webviewFrame(page).locator('.chip').first().waitFor({ timeout: 60_000 });
    return Date.now() - started;
  });
}

async function main(): Promise<void> {
  const rounds: Record<string, number>[] = [];
  const empty: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    empty.push(await emptyWebviewRound());
    rounds.push(await oneRound());
  }
  const med = (key: string) => round(median(rounds.map((r) => r[key]!))!);
  const emptyMs = round(median(empty)!);
  const figures = {
    panel_cold_ready_ms: med('ready_ms'),
    // What any webview costs in a fresh window here, and the rest: LLM Lens's own share.
    panel_cold_empty_webview_ms: emptyMs,
    panel_cold_above_empty_webview_ms: round(med('ready_ms') - emptyMs),
    panel_cold_tokens_ms: med('tokens_ms'),
    // The model's share: from the chips on screen (code-server has opened the webview and the host
    // has tokenized) to the numbers.
    panel_cold_numbers_after_chips_ms: med('numbers_after_chips_ms'),
    panel_cold_load_ms: med('load'),
    panel_cold_in_host: med('in_host'),
    ...Object.fromEntries(PARTS.map((part) => [`panel_cold_${part.replace('-', '_')}_ms`, med(part)])),
    details_panel_cold: { method: `median of ${ROUNDS} rounds, each a fresh code-server and Chromium profile: sample.py lines 13-17 selected, "LLM Lens: Explain Tokens" from the palette until a coloured chip and the footer's load time show; the split is the panel's own measurement; where the model ran in the extension host's worker (in_host 1: without a hardware WebGPU adapter, as here), load is how long the panel waited for that worker, shared_load its own load, once per window, begun when the extension activated, and the other parts are that load's; empty_webview: bench/empty-webview's panel (one message, one element drawn) timed the same way in a fresh window before each round`, rounds, empty_webview_rounds_ms: empty },
  };
  const file = path.join(repoRoot, 'bench/results.json');
  const results = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  fs.writeFileSync(file, JSON.stringify({ ...results, ...figures }, null, 2) + '\n');
  console.log(JSON.stringify(figures, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
