// Which execution provider runs the model, and why. The decision is a pure function of a
// probe of the environment, so that it can be tested without a GPU.
import type { BackendInfo, BackendPreference, BackendWhy } from './types';

/** What probing navigator.gpu found. */
export interface WebGpuProbe {
  available: boolean;
  /** The adapter is a software rasteriser (e.g. SwiftShader). */
  isFallbackAdapter?: boolean;
  /** Vendor / architecture / description of the adapter, when there is one. */
  adapter?: string;
  /** Why WebGPU is unavailable, when it is. */
  unavailableReason?: string;
  /** Which of the ways WebGPU can be missing, for the translated reason. */
  unavailableCode?: 'noWebGpu' | 'noAdapter' | 'adapterFailed';
  unavailableDetail?: string;
}

export interface BackendEnvironment {
  /** Cross-origin isolated pages may use several WASM threads (VS Code webviews are not). */
  crossOriginIsolated: boolean;
  /** Logical cores, for the WASM thread count where threads are allowed. */
  hardwareConcurrency: number;
  /** Accept a software WebGPU adapter (tests in headless Chromium). */
  allowFallbackAdapter: boolean;
}

/** The WASM threads to request: 1 unless the page is cross-origin isolated (SharedArrayBuffer). */
export function wasmThreads(env: Pick<BackendEnvironment, 'crossOriginIsolated' | 'hardwareConcurrency'>): number {
  return env.crossOriginIsolated ? Math.max(1, Math.min(4, Math.ceil(env.hardwareConcurrency / 2))) : 1;
}

/** Picks WebGPU or WASM from a preference and a probe; the reason is one sentence for users. */
export function chooseBackend(preference: BackendPreference, probe: WebGpuProbe, env: BackendEnvironment): BackendInfo {
  const wasm = (reason: string, why: BackendWhy): BackendInfo => ({ name: 'wasm', reason, threads: wasmThreads(env), adapter: probe.adapter, why });
  if (preference === 'wasm') return wasm('WASM was requested.', { code: 'wasmRequested' });
  if (!probe.available) {
    const reason = probe.unavailableReason ?? 'WebGPU is not available here';
    const why: BackendWhy = probe.unavailableDetail ? { code: probe.unavailableCode ?? 'noWebGpu', detail: probe.unavailableDetail } : { code: probe.unavailableCode ?? 'noWebGpu' };
    return wasm(preference === 'webgpu' ? `WebGPU was requested but ${lowerFirst(reason)}; using WASM.` : `${reason}; using WASM.`, why);
  }
  if (probe.isFallbackAdapter && !env.allowFallbackAdapter) {
    const what = `the WebGPU adapter${probe.adapter ? ` (${probe.adapter})` : ''} is a software fallback`;
    const why: BackendWhy = { code: 'softwareAdapter', adapter: probe.adapter ?? 'SwiftShader' };
    return wasm(preference === 'webgpu' ? `WebGPU was requested but ${what}, slower than WASM; using WASM.` : `${upperFirst(what)}, slower than WASM; using WASM.`, why);
  }
  const how = preference === 'webgpu' ? 'WebGPU was requested' : 'a WebGPU adapter is available';
  const software = probe.isFallbackAdapter ? ' (software fallback allowed)' : '';
  const code = probe.isFallbackAdapter ? 'webgpuSoftware' : preference === 'webgpu' ? 'webgpuRequested' : 'webgpu';
  return { name: 'webgpu', reason: `Using WebGPU: ${how}${software}.`, adapter: probe.adapter, why: { code } };
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { isFallbackAdapter?: boolean; vendor?: string; architecture?: string; description?: string };
}
interface NavigatorWithGpu {
  gpu?: { requestAdapter(options?: unknown): Promise<GpuAdapterLike | null> };
}

/** Asks navigator.gpu for an adapter; never throws. */
export async function probeWebGpu(nav: unknown = (globalThis as { navigator?: unknown }).navigator): Promise<WebGpuProbe> {
  const gpu = (nav as NavigatorWithGpu | undefined)?.gpu;
  if (!gpu || typeof gpu.requestAdapter !== 'function') {
    return { available: false, unavailableReason: 'this runtime has no navigator.gpu', unavailableCode: 'noWebGpu' };
  }
  try {
    const adapter = await gpu.requestAdapter();
    if (!adapter) return { available: false, unavailableReason: 'navigator.gpu returned no adapter', unavailableCode: 'noAdapter' };
    const info = adapter.info;
    const description = [info?.vendor, info?.architecture, info?.description].filter((s) => s).join(' ') || undefined;
    return {
      available: true,
      isFallbackAdapter: Boolean(info?.isFallbackAdapter ?? adapter.isFallbackAdapter),
      adapter: description,
    };
  } catch (error) {
    const detail = (error as Error).message;
    return { available: false, unavailableReason: `requesting a WebGPU adapter failed (${detail})`, unavailableCode: 'adapterFailed', unavailableDetail: detail };
  }
}

/** Why the extension host's model worker, not the panel, runs the panel's model. */
export type HostWorkerWhy = { code: 'hostWorker'; detail: string } | { code: 'hostWorkerRequested' };

/**
 * Where the panel's model runs when the extension host offers its model worker: in the panel
 * only on a hardware WebGPU adapter (or when WebGPU is asked for, even on a software one); else
 * in the host's worker, whose WASM has threads the panel cannot have (webviews are not
 * cross-origin isolated) and whose model the hover already holds. Undefined: in the panel.
 */
export function hostWorkerWhy(preference: BackendPreference, probe: WebGpuProbe): HostWorkerWhy | undefined {
  if (preference === 'webgpu') return undefined;
  if (preference === 'wasm') return { code: 'hostWorkerRequested' };
  if (probe.available && !probe.isFallbackAdapter) return undefined;
  const detail = probe.available ? `the adapter${probe.adapter ? ` (${probe.adapter})` : ''} is a software fallback` : lowerFirst(probe.unavailableReason ?? 'no WebGPU');
  return { code: 'hostWorker', detail };
}

/** The environment as seen from this runtime (browser, worker or Node). */
export function currentEnvironment(allowFallbackAdapter: boolean): BackendEnvironment {
  const scope = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  return {
    crossOriginIsolated: scope.crossOriginIsolated === true,
    hardwareConcurrency: scope.navigator?.hardwareConcurrency ?? 1,
    allowFallbackAdapter,
  };
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
