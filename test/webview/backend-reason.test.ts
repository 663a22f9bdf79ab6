import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseBackend } from '../../src/engine/backend';
import type { BackendInfo } from '../../src/engine/types';
import { backendLabel, backendReason } from '../../webview-ui/view/footer-view';
import { bundleFor, english, translator } from '../../webview-ui/i18n';

const chinese = translator(bundleFor('zh-cn').bundle);
const env = { crossOriginIsolated: false, hardwareConcurrency: 2, allowFallbackAdapter: false };

test('the footer says why a backend was chosen in the panel language, with the engine\'s details', () => {
  const software = chooseBackend('auto', { available: true, isFallbackAdapter: true, adapter: 'google swiftshader' }, env);
  assert.equal(backendReason(software, english), 'The WebGPU adapter (google swiftshader) is a software fallback, slower than WASM; using WASM.');
  assert.equal(backendReason(software, chinese), 'WebGPU 适配器（google swiftshader）是软件模拟的，比 WASM 还慢，改用 WASM。');
  const failed = chooseBackend('auto', { available: false, unavailableReason: 'x', unavailableCode: 'adapterFailed', unavailableDetail: 'device lost' }, env);
  assert.equal(backendReason(failed, chinese), '请求 WebGPU 适配器失败（device lost），改用 WASM。');
  assert.equal(backendReason(chooseBackend('wasm', { available: false }, env), chinese), '设置里指定了 WASM。');
  assert.equal(backendLabel(software, chinese), 'WASM（1 个线程）');
  assert.equal(backendLabel(software, english), 'WASM (1 thread)');
});

test('a reason without a code (an older engine, a host message) is shown as given', () => {
  const plain: BackendInfo = { name: 'wasm', reason: 'Some reason.', threads: 2 };
  assert.equal(backendReason(plain, chinese), 'Some reason.');
  assert.equal(backendLabel(plain, english), 'WASM (2 threads)');
});

test('8-bit weights: the footer says why, with the sizes, and the measured error with its numbers, in both languages', async () => {
  const { int8Reason, int8ErrorText } = await import('../../webview-ui/view/footer-view');
  const weights = { precision: 'int8', why: 'tooBig', float32Bytes: 4_943_257_600, heldBytes: 1_390_291_200, heapBytes: 4_294_967_296 } as const;
  assert.equal(
    int8Reason(weights, english),
    'Float32 weights would need 4.94 GB of the runtime\'s 4.29 GB heap, so every weight matrix is held in 8 bits (each block of 32 values shares one float32 scale): 1.39 GB.',
  );
  assert.equal(int8Reason(weights, chinese), 'float32 权重需要 4.94 GB，放不进运行时 4.29 GB 的堆，所以每个权重矩阵以 8 位保存（每 32 个值共用一个 float32 缩放系数）：1.39 GB。');
  assert.match(int8Reason({ ...weights, why: 'requested' }, english), /^llmLens\.weights asks for 8-bit weights: 1\.39 GB instead of 4\.94 GB in float32/);
  const error = { positions: 36, maxLogprobDiff: 0.06172, meanLogprobDiff: 0.02194, sameTop1: 35 };
  assert.equal(int8ErrorText(error, english).text, 'vs float32 on this text: |Δ log p| ≤ 0.062 (mean 0.022), same top-1 at 35 of 36 positions');
  assert.equal(int8ErrorText(error, chinese).text, '在这段文字上与 float32 相比：|Δ log p| ≤ 0.062（平均 0.022），36 个位置中有 35 个 top-1 相同');
  assert.match(int8ErrorText(error, english).help, /moved by at most 0\.062 nats, 0\.022 on average, and the most likely next token was the same at 35 of 36 positions/);
  // A tiny error keeps its digits rather than reading as 0.000.
  assert.equal(int8ErrorText({ ...error, maxLogprobDiff: 0.00042 }, english).text.split(' (')[0], 'vs float32 on this text: |Δ log p| ≤ 4.2e-4');
});
