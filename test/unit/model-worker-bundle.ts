// The real model worker, bundled for a test as scripts/build.mjs bundles dist/model-worker.mjs
// (same options), so that a test runs the code that ships without depending on a prior build.
import path from 'node:path';
import * as esbuild from 'esbuild';

const root = path.join(__dirname, '..', '..');

/** Bundles src/model-worker/worker.ts to `outfile`. */
export async function bundleModelWorker(outfile: string): Promise<void> {
  await esbuild.build({
    entryPoints: [path.join(root, 'src', 'model-worker', 'worker.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    banner: { js: 'import { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
    logLevel: 'warning',
  });
}
