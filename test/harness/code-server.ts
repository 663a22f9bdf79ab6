// A real VS Code (code-server 4.100.3: VS Code 1.100.3's server and web workbench) for tests,
// with fresh user data, extensions, XDG and temp folders per start, so no state leaks between runs.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { format } from 'node:util';
import type { Page } from 'playwright-core';
import { launchChromium } from './chromium';
import { codeServerBinary } from './paths';

export interface CodeServerOptions {
  /** Folder opened by url() when it is given no argument. */
  workspace: string;
  /** An extension folder loaded as a development extension (through the workbench URL's payload). */
  extensionDevelopmentPath?: string;
  /** Use this extensions folder instead of a fresh empty one. */
  extensionsDir?: string;
  /** A .vsix installed into the extensions folder before the server starts. */
  installVsix?: string;
  /**
   * VS Code's display language (`vscode.env.language`), e.g. "zh-cn". For a language other than
   * English the server gets an empty language pack for it (see stubLanguagePack): the workbench's
   * own strings stay English, but extensions load their bundles for that language.
   */
  locale?: string;
  /** User settings, merged over the quiet defaults below. */
  settings?: Record<string, unknown>;
  /** Extra environment for the server and the extension host it starts. */
  env?: Record<string, string>;
  /** Milliseconds to wait for the server to answer (default 60 s). */
  startTimeoutMs?: number;
}

export interface CodeServer {
  /**
   * Workbench URL. No argument: the workspace. A folder: that folder. A file: the workspace with that file
   * opened. Relative paths are resolved against the workspace.
   */
  url(folderOrFile?: string): string;
  /** Workbench URL with extra payload entries, e.g. [['extensionTestsPath', remoteUri(...)]] */
  urlWithPayload(folder: string, payload: Array<[string, string]>): string;
  /** vscode-remote:// URI of a path on this machine, as the workbench names server files. */
  remoteUri(absolutePath: string): string;
  port: number;
  /** The remote authority the server hands the workbench (host:port). */
  authority: string;
  /** Server output so far (stdout and stderr, last 256 KiB). */
  log(): string;
  /** Stops the server and its child processes and deletes its temporary folders. Safe to call twice. */
  stop(): Promise<void>;
}

/** Settings that keep the workbench from opening anything or asking anything on startup. */
const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  // The remote extension host otherwise scans for ports to forward every 2 s or more, by spawning
  // `ls` and `ps` from its main thread: each spawn stalls it 15-80 ms (desktop VS Code has no
  // such scan), which is noise under any event-loop measurement of our own. code-server has a
  // tunnel provider, so only the source setting turns the scan off.
  'remote.autoForwardPorts': false,
  'remote.autoForwardPortsSource': 'output',
  'chat.commandCenter.enabled': false,
  'window.commandCenter': false,
};

const LOG_LIMIT = 256 * 1024;

/**
 * Workbench start-up messages that reach codeAutomationLog along with the extension host's console
 * (both arrive as "info"); dropped so that the suite's output reads as the suite's.
 */
const WORKBENCH_CHATTER =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Ignoring fetching additional builtin|Updating additional builtin|\[Service Worker\]|ChatSessionStore)/;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Kills a detached child's whole process group (code-server forks the extension host, pty host, file watcher). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/**
 * Runs `cleanup` when this process exits or gets SIGINT/SIGTERM (then re-raises the signal so the
 * process still ends as it would have). Returns a function that unregisters it.
 */
function onProcessEnd(cleanup: () => void): () => void {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];
  const forget = () => {
    process.removeListener('exit', cleanup);
    for (const signal of signals) process.removeListener(signal, onSignal);
  };
  function onSignal(signal: NodeJS.Signals) {
    forget();
    cleanup();
    process.kill(process.pid, signal);
  }
  process.once('exit', cleanup);
  for (const signal of signals) process.once(signal, onSignal);
  return forget;
}

function assertInstalled(): void {
  if (!fs.existsSync(codeServerBinary)) {
    throw new Error(`code-server not found at ${codeServerBinary}: run scripts/setup-test-host.sh first`);
  }
}

/** Reads the remote authority from the workbench page's configuration meta tag. */
async function fetchRemoteAuthority(origin: string, folder: string): Promise<string> {
  const html = await (await fetch(`${origin}/?folder=${encodeURIComponent(folder)}`)).text();
  const match = html.match(/id="vscode-workbench-web-configuration" data-settings="([^"]*)"/);
  if (!match) throw new Error('code-server workbench page has no vscode-workbench-web-configuration meta tag');
  const config = JSON.parse(match[1].replace(/&quot;/g, '"').replace(/&amp;/g, '&')) as { remoteAuthority?: string };
  if (!config.remoteAuthority) throw new Error('code-server workbench configuration has no remoteAuthority');
  return config.remoteAuthority;
}

/**
 * code-server bundles only English, and `--locale` takes effect only for a language whose pack is
 * registered in the user-data folder's languagepacks.json (otherwise the workbench, and with it
 * every extension, stays "en"). Language packs come from the marketplace, which the tests never
 * reach, so this registers a pack with no translations: VS Code fills every missing string with
 * its English default and still runs in `locale`.
 */
function stubLanguagePack(userData: string, locale: string): void {
  const translations = path.join(userData, 'stub-language-pack', 'main.i18n.json');
  fs.mkdirSync(path.dirname(translations), { recursive: true });
  fs.writeFileSync(translations, JSON.stringify({ contents: {} }));
  const pack = {
    hash: `llm-lens-test-${locale}`,
    extensions: [{ extensionIdentifier: { id: `llm-lens-test.language-pack-${locale}` }, version: '0.0.0' }],
    translations: { vscode: translations },
    label: locale,
  };
  fs.writeFileSync(path.join(userData, 'languagepacks.json'), JSON.stringify({ [locale]: pack }));
}

function prepareFolders(options: CodeServerOptions) {
  // scripts/test.sh sets the run id so that it can tell its own leftovers from other runs' servers.
  const runTag = process.env.LLM_LENS_TEST_RUN_ID ? `${process.env.LLM_LENS_TEST_RUN_ID}-` : '';
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `llm-lens-code-server-${runTag}`));
  const dirs = {
    tmp,
    userData: path.join(tmp, 'user-data'),
    extensions: options.extensionsDir ?? path.join(tmp, 'extensions'),
    config: path.join(tmp, 'config.yaml'),
  };
  fs.mkdirSync(path.join(dirs.userData, 'User'), { recursive: true });
  fs.mkdirSync(dirs.extensions, { recursive: true });
  fs.writeFileSync(path.join(dirs.userData, 'User/settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));
  if (options.locale && !options.locale.toLowerCase().startsWith('en')) stubLanguagePack(dirs.userData, options.locale.toLowerCase());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(tmp, 'xdg-config'),
    XDG_DATA_HOME: path.join(tmp, 'xdg-data'),
    XDG_CACHE_HOME: path.join(tmp, 'xdg-cache'),
    TMPDIR: tmp,
    // An empty gallery turns the marketplace off: the tests are offline, and no lookups leave the machine.
    EXTENSIONS_GALLERY: '{}',
    ...options.env,
  };
  return { dirs, env };
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  assertInstalled();
  const workspace = path.resolve(options.workspace);
  if (!fs.statSync(workspace, { throwIfNoEntry: false })?.isDirectory()) throw new Error(`workspace folder not found: ${workspace}`);
  const { dirs, env } = prepareFolders(options);
  const common = ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
  const removeFolders = () => fs.rmSync(dirs.tmp, { recursive: true, force: true });

  if (options.installVsix) {
    const installed = spawnSync(codeServerBinary, [...common, '--install-extension', path.resolve(options.installVsix)], {
      env, encoding: 'utf8', timeout: 120_000,
    });
    if (installed.status !== 0) {
      removeFolders();
      throw new Error(`installing ${options.installVsix} failed (exit ${installed.status}):\n${installed.stdout}${installed.stderr}`);
    }
  }

  const port = await freePort();
  const args = [...common, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--disable-workspace-trust', ...(options.locale ? ['--locale', options.locale] : [])];
  // detached: its own process group, so stop() also ends the extension host and the other helpers it forks
  const child = spawn(codeServerBinary, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-LOG_LIMIT);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  let exited = false;
  child.once('exit', () => { exited = true; });
  // A test runner that dies or is interrupted must not leave a server behind.
  const forgetCleanup = onProcessEnd(() => {
    killGroup(child, 'SIGKILL');
    removeFolders();
  });

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      forgetCleanup();
      killGroup(child, 'SIGTERM');
      for (let waited = 0; !exited && waited < 5000; waited += 100) await sleep(100);
      killGroup(child, 'SIGKILL'); // stragglers in the group (pty host, watchers)
      removeFolders();
    })());

  const origin = `http://127.0.0.1:${port}`;
  let authority: string;
  try {
    const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
    for (;;) {
      if (exited) throw new Error(`code-server exited while starting:\n${output}`);
      try {
        if ((await fetch(`${origin}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`code-server did not answer on ${origin} within ${options.startTimeoutMs ?? 60_000} ms:\n${output}`);
      await sleep(100);
    }
    authority = await fetchRemoteAuthority(origin, workspace);
  } catch (error) {
    await stop();
    throw error;
  }

  const remoteUri = (absolutePath: string) => `vscode-remote://${authority}${path.resolve(absolutePath)}`;
  const devPayload: Array<[string, string]> = options.extensionDevelopmentPath
    ? [['extensionDevelopmentPath', remoteUri(options.extensionDevelopmentPath)]]
    : [];
  const urlWithPayload = (folder: string, payload: Array<[string, string]>) => {
    const all = [...devPayload, ...payload];
    const query = `?folder=${encodeURIComponent(path.resolve(workspace, folder))}`;
    return `${origin}/${query}${all.length ? `&payload=${encodeURIComponent(JSON.stringify(all))}` : ''}`;
  };
  const url = (folderOrFile?: string) => {
    const target = path.resolve(workspace, folderOrFile ?? '.');
    if (fs.statSync(target, { throwIfNoEntry: false })?.isFile()) return urlWithPayload(workspace, [['openFile', remoteUri(target)]]);
    return urlWithPayload(target, []);
  };

  return { url, urlWithPayload, remoteUri, port, authority, log: () => output, stop };
}

/**
 * What the workbench says of the extension host while a suite runs, and the longest task on its
 * main thread (in code-server that thread is shared with every webview: same-origin iframes).
 *
 * VS Code logs "Extension host (Remote) is unresponsive" when a request it sent goes
 * unacknowledged for 3 s, and a socket timeout (then a reconnect) after 20 s without data. That
 * chain has three links: the workbench's thread, its socket reads, and the host's thread. The
 * host's thread is measured where it runs (test/extension/index.ts fails the suite on a stall
 * past 2 s). Measured on the 2-vCPU machine, the episodes left came from the other links: the
 * host's loop stalled under 1 s throughout, while the workbench's thread was held 2-19 s inside
 * VS Code's own layout and canvas calls, or its socket reads (a FileReader per message) waited
 * 20 s with the thread free, the renderer process at two cores. So they are printed, with their
 * length and when, for whoever reads the log, and are not counted as failures here.
 */
export class WorkbenchHealth {
  private readonly episodes: string[] = [];
  private unresponsiveSince: number | undefined;
  private readonly started = Date.now();

  /** Episodes read so far (each a line: what, how long, when). */
  get found(): readonly string[] {
    return this.episodes;
  }

  read(message: string): void {
    const now = Date.now();
    const at = `${((now - this.started) / 1000).toFixed(1)} s into the suite`;
    if (/Extension host \(.*\) is unresponsive/.test(message)) this.unresponsiveSince ??= now;
    else if (/Extension host \(.*\) is responsive/.test(message) && this.unresponsiveSince !== undefined) {
      this.episodes.push(`the workbench had no answer from the extension host for ${now - this.unresponsiveSince + 3000} ms, until ${at}`);
      this.unresponsiveSince = undefined;
    } else if (/received socket timeout event/.test(message)) this.episodes.push(`socket timeout and reconnect ${at}: ${message.slice(0, 200)}`);
  }

  async watchLongTasks(page: Page): Promise<void> {
    page.on('console', (message) => {
      const long = /^llm-lens-longtask (\d+)$/.exec(message.text());
      if (long) console.log(`workbench: a ${long[1]} ms task held the main thread`);
    });
    await page.addInitScript(() => {
      if (window !== window.top) return; // frames share the top page's thread and report the same tasks
      const record = window as unknown as { __lensLongestTaskMs: number };
      record.__lensLongestTaskMs = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) {
          record.__lensLongestTaskMs = Math.max(record.__lensLongestTaskMs, entry.duration);
          // Said as it happens, so that the suite's output shows during which test.
          if (entry.duration > 2000) console.warn(`llm-lens-longtask ${Math.round(entry.duration)}`);
        }
      }).observe({ type: 'longtask', buffered: true });
    });
  }

  /** Prints the longest task and every episode. */
  async report(page: Page): Promise<void> {
    const longest = await page.evaluate(() => (window as unknown as { __lensLongestTaskMs?: number }).__lensLongestTaskMs).catch(() => undefined);
    if (longest !== undefined) console.log(`workbench: longest main-thread task ${Math.round(longest)} ms`);
    if (this.unresponsiveSince !== undefined) this.episodes.push(`the workbench still had no answer from the extension host at the end (${Date.now() - this.unresponsiveSince + 3000} ms)`);
    for (const episode of this.episodes) console.log(`workbench health: ${episode}`);
  }
}

export interface ExtensionSuiteOptions {
  extensionDevelopmentPath: string;
  /** The bundled suite: a module exporting run(): Promise<void> (VS Code's extensionTestsPath convention). */
  testsPath: string;
  workspace: string;
  /** Whole-suite limit in milliseconds (default 180 s). */
  timeoutMs?: number;
  /** Extra environment for the extension host. */
  env?: Record<string, string>;
  /** VS Code's display language (default English); see CodeServerOptions.locale. */
  locale?: string;
}

/**
 * Runs a test suite inside the extension host of a fresh code-server, the way VS Code's own test
 * runner does: the workbench loads the development extension and the tests from the URL payload,
 * forwards the extension host's console through codeAutomationLog and reports the suite's result
 * through codeAutomationExit. Prints the suite's output; resolves to its exit code (non-zero on failure).
 */
export async function runExtensionSuite(options: ExtensionSuiteOptions): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 180_000;
  const testsPath = path.resolve(options.testsPath);
  if (!fs.existsSync(testsPath)) throw new Error(`extension tests not built: ${testsPath} (run node scripts/build-tests.mjs)`);
  const started = Date.now();
  const lap = (message: string) => console.error(`[extension-suite ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`);

  const server = await startCodeServer({
    workspace: options.workspace,
    extensionDevelopmentPath: options.extensionDevelopmentPath,
    env: options.env,
    locale: options.locale,
  });
  lap(`code-server on port ${server.port}`);
  const browser = await launchChromium().catch(async (error) => {
    await server.stop();
    throw error;
  });
  try {
    const page = await browser.newPage();
    let reportExit!: (code: number) => void;
    const exited = new Promise<number>((resolve) => { reportExit = resolve; });
    const health = new WorkbenchHealth();
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown) => {
      const message = Array.isArray(args) ? format(...args) : String(args);
      health.read(message);
      if (!WORKBENCH_CHATTER.test(message)) console.log(message.replace(/^\[Extension Host\]\s*/, ''));
    });
    await health.watchLongTasks(page);
    await page.exposeFunction('codeAutomationExit', (code: number) => reportExit(code));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); });
    await page.goto(server.urlWithPayload(options.workspace, [['extensionTestsPath', server.remoteUri(testsPath)]]));
    lap('workbench opened, suite running');
    const result = await Promise.race([exited, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      const tail = server.log().split('\n').slice(-60).join('\n');
      console.error(`extension suite did not finish within ${timeoutMs} ms; last lines of the code-server log:\n${tail}`);
      return 1;
    }
    lap(`suite exited with code ${result}`);
    await health.report(page);
    return result;
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }
}
