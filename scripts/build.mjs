// Builds everything the extension, the CLI and the tests load from dist/.
//   dist/extension.js  extension host (CommonJS, Node, `vscode` external)
//   dist/cli.mjs       the llm-lens command line (ESM, Node; onnxruntime-web resolved from node_modules)
//   dist/webview.js    webview UI (ESM, browser)
//   dist/webview-engine.js  the webview's engine worker (ESM, browser; onnxruntime-web/webgpu bundled)
//   dist/model-worker.mjs  the hover's model worker thread (ESM, Node; onnxruntime-web bundled)
//   dist/ort/*         the onnxruntime-web binaries the webview and the worker load
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
  // The hover's model worker thread; ESM so onnxruntime-web's Node build keeps import.meta.
  { entryPoints: [at('src/model-worker/worker.ts')], outfile: at('dist/model-worker.mjs'), platform: 'node', format: 'esm', target: 'node20',
    banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' } },
  { entryPoints: [at('webview-ui/main.ts')], outfile: at('dist/webview.js'), platform: 'browser', format: 'esm', target: 'es2022',
    loader: { '.css': 'text' } },
  // Started from a blob: URL (see webview-ui/engine-client.ts), so a source map URL would point nowhere.
  { entryPoints: [at('webview-ui/engine-worker.ts')], outfile: at('dist/webview-engine.js'), platform: 'browser', format: 'esm', target: 'es2022', sourcemap: false },
].filter((t) => fs.existsSync(t.entryPoints[0]));

function copyRuntimeFiles() {
  const ortDist = at('node_modules/onnxruntime-web/dist');
  fs.mkdirSync(at('dist/ort'), { recursive: true });
  // asyncify: the webview's WebGPU+WASM build; plain: the Node build the model worker uses.
  for (const f of ['ort-wasm-simd-threaded.asyncify.wasm', 'ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs']) fs.copyFileSync(path.join(ortDist, f), at('dist/ort/' + f));
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
