// Entry of the extension test bundle (out/test/extension/index.js), loaded by VS Code's extension
// host as extensionTestsPath: VS Code calls run() and counts a rejection as a failed suite.
// scripts/build-tests.mjs bundles this module first and every test/extension/*.test.ts after it,
// so the bdd globals (describe, it, ...) set up below exist when the test files register their tests.
import Mocha from 'mocha';

const mocha = new Mocha({
  ui: 'bdd',
  reporter: 'spec',
  color: false,
  // the first test pays for activation and model loading in a cold extension host
  timeout: 120_000,
  grep: process.env.LLM_LENS_TEST_GREP || undefined,
});
mocha.suite.emit('pre-require', globalThis, 'out/test/extension/index.js', mocha);

export function run(): Promise<void> {
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const { passes = 0, tests = 0 } = runner.stats ?? {};
      // The plain summary line CI reads (mocha's own "N passing" is not one of them).
      console.log(`extension: ${passes} passed, ${failures} failed`);
      if (tests === 0) reject(new Error('no extension tests ran'));
      else if (failures > 0) reject(new Error(`${failures} extension test(s) failed`));
      else resolve();
    });
  });
}
