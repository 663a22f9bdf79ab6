// Backend choice: a pure function of a WebGPU probe and the environment, tested with fake
// navigator.gpu objects (no GPU needed).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseBackend, hostWorkerWhy, probeWebGpu, wasmThreads, type BackendEnvironment } from '../../src/engine/backend';

const isolated: BackendEnvironment = { crossOriginIsolated: true, hardwareConcurrency: 8, allowFallbackAdapter: false };
const webview: BackendEnvironment = { crossOriginIsolated: false, hardwareConcurrency: 8, allowFallbackAdapter: false };
const hardware = { available: true, isFallbackAdapter: false, adapter: 'nvidia ampere' };
const software = { available: true, isFallbackAdapter: true, adapter: 'google swiftshader' };
const none = { available: false, unavailableReason: 'this runtime has no navigator.gpu', unavailableCode: 'noWebGpu' as const };

const fakeNavigator = (requestAdapter: () => Promise<unknown>) => ({ gpu: { requestAdapter } });

describe('backend choice', () => {
  test('auto picks WebGPU on a hardware adapter', () => {
    const info = chooseBackend('auto', hardware, webview);
    assert.equal(info.name, 'webgpu');
    assert.equal(info.adapter, 'nvidia ampere');
    assert.match(info.reason, /WebGPU adapter is available/);
  });

  test('auto refuses a software fallback adapter unless allowed', () => {
    const refused = chooseBackend('auto', software, webview);
    assert.equal(refused.name, 'wasm');
    assert.match(refused.reason, /^The WebGPU adapter \(google swiftshader\) is a software fallback, slower than WASM; using WASM\.$/);
    const allowed = chooseBackend('auto', software, { ...webview, allowFallbackAdapter: true });
    assert.equal(allowed.name, 'webgpu');
    assert.match(allowed.reason, /software fallback allowed/);
  });

  test('auto without WebGPU uses WASM and says why', () => {
    const info = chooseBackend('auto', none, webview);
    assert.deepEqual(info, { name: 'wasm', reason: 'this runtime has no navigator.gpu; using WASM.', threads: 1, adapter: undefined, why: { code: 'noWebGpu' } });
  });

  test('forced WebGPU that is unavailable falls back to WASM with the reason', () => {
    assert.match(chooseBackend('webgpu', none, webview).reason, /^WebGPU was requested but this runtime has no navigator\.gpu; using WASM\.$/);
    assert.equal(chooseBackend('webgpu', software, webview).name, 'wasm');
    assert.equal(chooseBackend('webgpu', hardware, webview).name, 'webgpu');
  });

  test('forced WASM is WASM even with a GPU', () => {
    assert.equal(chooseBackend('wasm', hardware, webview).name, 'wasm');
  });

  test('WASM threads: 1 unless cross-origin isolated', () => {
    assert.equal(wasmThreads(webview), 1);
    assert.equal(wasmThreads(isolated), 4);
    assert.equal(wasmThreads({ crossOriginIsolated: true, hardwareConcurrency: 2 }), 1);
    assert.equal(chooseBackend('wasm', none, isolated).threads, 4);
  });
});

describe('WebGPU probe', () => {
  test('no navigator or no navigator.gpu', async () => {
    assert.deepEqual(await probeWebGpu(undefined), none);
    assert.deepEqual(await probeWebGpu({}), none);
  });

  test('a hardware adapter, described from adapter.info', async () => {
    const probe = await probeWebGpu(fakeNavigator(async () => ({ info: { vendor: 'nvidia', architecture: 'ampere', isFallbackAdapter: false } })));
    assert.deepEqual(probe, hardware);
  });

  test('fallback flag read from adapter.info or, in older browsers, from the adapter', async () => {
    const viaInfo = await probeWebGpu(fakeNavigator(async () => ({ info: { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true } })));
    assert.deepEqual(viaInfo, software);
    const legacy = await probeWebGpu(fakeNavigator(async () => ({ isFallbackAdapter: true })));
    assert.equal(legacy.isFallbackAdapter, true);
  });

  test('no adapter, or a failing request, is "unavailable" with a reason', async () => {
    assert.deepEqual(await probeWebGpu(fakeNavigator(async () => null)), { available: false, unavailableReason: 'navigator.gpu returned no adapter', unavailableCode: 'noAdapter' });
    const failing = await probeWebGpu(fakeNavigator(async () => {
      throw new Error('device lost');
    }));
    assert.equal(failing.available, false);
    assert.match(failing.unavailableReason!, /device lost/);
    assert.equal(failing.unavailableCode, 'adapterFailed');
    assert.equal(failing.unavailableDetail, 'device lost');
  });
});

describe("where the panel's model runs when the extension host offers its worker (issue 13)", () => {
  const hardware = { available: true, isFallbackAdapter: false, adapter: 'nvidia hopper' };
  const software = { available: true, isFallbackAdapter: true, adapter: 'google swiftshader' };
  const none = { available: false, unavailableReason: 'This runtime has no navigator.gpu', unavailableCode: 'noWebGpu' as const };
  test('a hardware adapter keeps it in the panel (WebGPU); asking for WebGPU keeps it there even on a software one', () => {
    assert.equal(hostWorkerWhy('auto', hardware), undefined);
    assert.equal(hostWorkerWhy('webgpu', software), undefined);
    assert.equal(hostWorkerWhy('webgpu', none), undefined);
  });
  test('no adapter, or a software one, sends it to the host with the reason; asking for WASM sends it there too', () => {
    assert.deepEqual(hostWorkerWhy('auto', none), { code: 'hostWorker', detail: 'this runtime has no navigator.gpu' });
    assert.deepEqual(hostWorkerWhy('auto', software), { code: 'hostWorker', detail: 'the adapter (google swiftshader) is a software fallback' });
    assert.deepEqual(hostWorkerWhy('wasm', hardware), { code: 'hostWorkerRequested' });
  });
});
