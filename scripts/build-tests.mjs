// Builds what the tests load besides the product bundles (scripts/build.mjs builds those):
//   out/test/extension/index.js   the suite VS Code's extension host runs: test/extension/index.ts
//                                 (mocha runner) followed by every test/extension/*.test.ts
//                                 (CommonJS, Node, `vscode` external, mocha bundled)
//   out/test/browser/*            browser test pages: test/browser/*-page.ts bundled for the browser
//                                 (onnxruntime-web/webgpu bundled), next to their .html
// Usage: node scripts/build-tests.mjs
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const at = (p) => path.join(root, p);
const common = { bundle: true, sourcemap: 'inline', logLevel: 'warning', legalComments: 'none' };

async function buildExtensionSuite() {
  const dir = at('test/extension');
  const testFiles = fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts')).sort();
  if (testFiles.length === 0) throw new Error('no test/extension/*.test.ts files');
  // index.ts must be evaluated before the test files: it defines mocha's describe/it globals.
  const entry = [`export { run } from './index.ts';`, ...testFiles.map((f) => `import './${f}';`)].join('\n');
  await esbuild.build({
    ...common,
    stdin: { contents: entry, resolveDir: dir, sourcefile: 'extension-suite.ts', loader: 'ts' },
    outfile: at('out/test/extension/index.js'),
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    // mocha's parallel mode (never used here) resolves worker files at run time
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
  return testFiles;
}

async function buildBrowserPages() {
  const dir = at('test/browser');
  const pages = fs.readdirSync(dir).filter((f) => f.endsWith('-page.ts')).sort();
  const outdir = at('out/test/browser');
  fs.mkdirSync(outdir, { recursive: true });
  await esbuild.build({
    ...common,
    entryPoints: pages.map((f) => path.join(dir, f)),
    outdir,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
  });
  for (const f of pages) {
    const html = f.replace(/\.ts$/, '.html');
    if (fs.existsSync(path.join(dir, html))) fs.copyFileSync(path.join(dir, html), path.join(outdir, html));
  }
  return pages;
}

const [extensionTests, browserPages] = await Promise.all([buildExtensionSuite(), buildBrowserPages()]);
console.log(`built out/test/extension/index.js (${extensionTests.join(', ')}), out/test/browser (${browserPages.join(', ') || 'no pages'})`);
