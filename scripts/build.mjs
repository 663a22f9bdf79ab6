// Builds everything the extension, the CLI and the tests load from dist/.
//   dist/extension.js  extension host (CommonJS, Node, `vscode` external)
//   dist/cli.mjs       the llm-lens command line (ESM, Node; onnxruntime-web resolved from node_modules)
//   dist/webview.js    webview UI + engine (ESM, browser; onnxruntime-web/webgpu bundled)
//   dist/ort/*.wasm    the onnxruntime-web binary the webview fetches
// Usage: node scripts/build.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const at = (p) => path.join(root, p);

const common = { bundle: true, sourcemap: !production, minify: production, logLevel: 'warning', legalComments: 'none' };
const targets = [
  { entryPoints: [at('src/extension.ts')], outfile: at('dist/extension.js'), platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] },
  { entryPoints: [at('src/cli/main.ts')], outfile: at('dist/cli.mjs'), platform: 'node', format: 'esm', target: 'node20',
    external: ['onnxruntime-web', 'onnxruntime-node'], banner: { js: '#!/usr/bin/env node\nimport { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' } },
  { entryPoints: [at('webview-ui/main.ts')], outfile: at('dist/webview.js'), platform: 'browser', format: 'esm', target: 'es2022',
    loader: { '.css': 'text' } },
].filter((t) => fs.existsSync(t.entryPoints[0]));

function copyRuntimeFiles() {
  const ortDist = at('node_modules/onnxruntime-web/dist');
  fs.mkdirSync(at('dist/ort'), { recursive: true });
  for (const f of ['ort-wasm-simd-threaded.asyncify.wasm']) fs.copyFileSync(path.join(ortDist, f), at('dist/ort/' + f));
  if (fs.existsSync(at('dist/cli.mjs'))) fs.chmodSync(at('dist/cli.mjs'), 0o755);
}

if (watch) {
  for (const t of targets) await (await esbuild.context({ ...common, ...t })).watch();
  copyRuntimeFiles();
  console.log('watching', targets.length, 'bundles');
} else {
  await Promise.all(targets.map((t) => esbuild.build({ ...common, ...t })));
  copyRuntimeFiles();
  console.log('built', targets.map((t) => path.relative(root, t.outfile)).join(', '));
}
