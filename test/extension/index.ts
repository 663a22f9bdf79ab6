// Entry of the extension test bundle (out/test/extension/index.js), loaded by VS Code's extension
// host as extensionTestsPath: VS Code calls run() and counts a rejection as a failed suite.
// scripts/build-tests.mjs bundles this module first and every test/extension/*.test.ts after it,
// so the bdd globals (describe, it, ...) set up below exist when the test files register their tests.
import Mocha from 'mocha';
import { startMonitor, stopMonitor, takeCountedStall } from './host-stalls';

const mocha = new Mocha({
  ui: 'bdd',
  reporter: 'spec',
  color: false,
  // the first test pays for activation and model loading in a cold extension host
  timeout: 120_000,
  grep: process.env.LLM_LENS_TEST_GREP || undefined,
});
mocha.suite.emit('pre-require', globalThis, 'out/test/extension/index.js', mocha);

/**
 * The workbench calls the extension host unresponsive when a request goes unacknowledged for 3 s;
 * a stall of the host's own thread is the part of that our code can cause, so a stall past this
 * fails the suite (measured here, inside the host, where nothing else's delay counts).
 */
export const HOST_STALL_LIMIT_MS = 2000;

/**
 * The extension host's longest event-loop stall in each test and in the hooks before it: printed
 * for stalls over half a second, and the longest of the suite at the end, so that a run shows
 * where the host's thread was held. The monitor runs throughout; each test's own stretch starts
 * at its 'test' event. Returns the longest stall, after printing it.
 */
function recordStalls(runner: Mocha.Runner): () => { ms: number; where: string } {
  startMonitor();
  let worst = { ms: 0, where: '' };
  const note = (where: string) => {
    const ms = takeCountedStall();
    if (ms > 500) console.log(`      (the extension host stalled ${ms.toFixed(0)} ms ${where})`);
    if (ms > worst.ms) worst = { ms, where };
  };
  runner.on('test', (test) => note(`before "${test.title}" (hooks, previous test's cleanup)`));
  runner.on('test end', (test) => note(`in "${test.fullTitle()}"`));
  return () => {
    note('after the last test');
    stopMonitor();
    console.log(`extension host: longest stall ${worst.ms.toFixed(0)} ms, ${worst.where}`);
    return worst;
  };
}

export function run(): Promise<void> {
  return new Promise((resolve, reject) => {
    let reportStalls = () => ({ ms: 0, where: '' });
    const runner = mocha.run((testFailures) => {
      const { passes = 0, tests = 0 } = runner.stats ?? {};
      const worst = reportStalls();
      const stalled = worst.ms > HOST_STALL_LIMIT_MS;
      if (stalled) console.log(`the extension host's thread stalled ${worst.ms.toFixed(0)} ms (limit ${HOST_STALL_LIMIT_MS} ms) ${worst.where}: counted as a failure`);
      const failures = testFailures + (stalled ? 1 : 0);
      // The plain summary line CI reads (mocha's own "N passing" is not one of them).
      console.log(`extension: ${passes} passed, ${failures} failed`);
      if (tests === 0) reject(new Error('no extension tests ran'));
      else if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
      else resolve();
    });
    reportStalls = recordStalls(runner);
  });
}
