// The webview only draws: the model runs in the extension host's worker (or in the WebGPU
// worker, its own bundle). What the page's script carries is fetched through the webview's
// resource loader and parsed before the first chip shows, so it must not carry the engine: its
// rank tables alone (GPT-2's, 475 kB minified) were two thirds of the page's script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(__dirname, '..', '..');

test('the webview bundle holds no engine, tokenizer or template code', async () => {
  const result = await build({
    entryPoints: [path.join(root, 'webview-ui/main.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    write: false,
    metafile: true,
    loader: { '.css': 'text' },
    logLevel: 'silent',
  });
  const [output] = Object.values(result.metafile.outputs);
  const inputs = Object.entries(output!.inputs).filter(([, used]) => used.bytesInOutput > 0).map(([file]) => file);
  const engine = inputs.filter((file) => /node_modules\/(gpt-tokenizer|@huggingface\/jinja|onnxruntime)|src\/engine\/(tokenizer|model-tokenizer|inspect|engine|model-graphs|chat-template)\.ts/.test(file));
  assert.deepEqual(engine, [], 'engine code in the webview bundle');
  // Its own views and strings, in both languages: a few hundred kB at most.
  assert.ok(output!.bytes < 400_000, `webview bundle ${output!.bytes} bytes`);
});
