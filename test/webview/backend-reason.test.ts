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
