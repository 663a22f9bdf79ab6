// The part of onnxruntime's API the engine uses, and a pool that builds each graph and its
// session only when first needed. Callers pass their own runtime module: onnxruntime-web
// (WASM in Node or a worker), onnxruntime-web/webgpu (browser) or onnxruntime-node (native).

import { GraphBuilder, type GraphModel } from './onnx-graph';

export interface OrtTensorLike {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
}

export interface OrtSessionLike {
  run(feeds: Record<string, OrtTensorLike>): Promise<Record<string, OrtTensorLike>>;
  /** `fetches` names the outputs to copy back; the graph still runs whole. */
  run(feeds: Record<string, OrtTensorLike>, fetches: readonly string[]): Promise<Record<string, OrtTensorLike>>;
  release(): Promise<void>;
}

/** The subset of onnxruntime-common that the engine calls. */
export interface OrtLike {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSessionLike> };
  Tensor: {
    new (type: 'float32', data: Float32Array, dims: readonly number[]): OrtTensorLike;
    new (type: 'int64', data: BigInt64Array, dims: readonly number[]): OrtTensorLike;
  };
  env: { wasm?: { numThreads?: number } };
}

/** How a pool creates sessions: the provider list and thread settings. */
export type ProviderKind = 'webgpu' | 'wasm' | 'native';

/**
 * Starts the runtime with a one-node session (fetching and compiling its WebAssembly), so that a
 * load can say how long that took apart from the model's own sessions. Returns the time in ms.
 */
export async function startRuntime(ort: OrtLike, kind: ProviderKind): Promise<number> {
  const started = performance.now();
  const g = new GraphBuilder('runtime-start');
  g.output(g.op('Identity', [g.input('x', 'float32', [1])]), 'y', 'float32', [1]);
  await (await ort.InferenceSession.create(g.toBytes(), sessionOptions(kind))).release();
  return performance.now() - started;
}

export function sessionOptions(kind: ProviderKind): Record<string, unknown> {
  // No arena: the engine holds a session per block, and an arena per session would keep each
  // block's largest activations ([H, T, T] attention) for good; without one, a block's buffers
  // go back to the heap for the next block.
  const common = { graphOptimizationLevel: 'all', enableCpuMemArena: false };
  switch (kind) {
    case 'webgpu':
      return { ...common, executionProviders: ['webgpu'] };
    case 'wasm':
      return { ...common, executionProviders: ['wasm'] };
    case 'native':
      // One intra-op thread: the benchmark compares single-threaded native code with one WASM thread.
      return { ...common, executionProviders: ['cpu'], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' };
  }
}

export interface SessionPoolEvents {
  onProgress?: (stage: string, fraction: number) => void;
  /** Each session made: how long its graph took (weights read and converted, graph built) and its creation. */
  onCreated?: (name: string, buildMs: number, createMs: number) => void;
  /** Called once when the preferred provider failed and the pool switched to WASM. */
  onFallback?: (reason: string, error: string) => void;
}

/**
 * One lazily created session per graph name. A WebGPU session that fails to create makes
 * the pool fall back to WASM for that graph and every later one.
 */
export class SessionPool<Name extends string> {
  private readonly sessions = new Map<Name, Promise<OrtSessionLike>>();
  private kind: ProviderKind;
  private disposed = false;

  constructor(
    private readonly ort: OrtLike,
    kind: ProviderKind,
    private readonly build: (name: Name) => GraphModel,
    private readonly events: SessionPoolEvents = {},
  ) {
    this.kind = kind;
  }

  get provider(): ProviderKind {
    return this.kind;
  }

  /** The session for `name`, building its graph first if needed. */
  get(name: Name): Promise<OrtSessionLike> {
    if (this.disposed) return Promise.reject(new Error('the engine has been disposed'));
    let session = this.sessions.get(name);
    if (!session) {
      session = this.create(name);
      this.sessions.set(name, session);
      // A failed creation is not cached: a later call tries again.
      session.catch(() => this.sessions.delete(name));
    }
    return session;
  }

  /** Creates every named session now (to pay the start-up cost up front). */
  async warm(names: Name[]): Promise<void> {
    for (const name of names) await this.get(name);
  }

  /**
   * A session for one use, outside the pool: made on the pool's provider, handed to `use`, and
   * released after (what a measurement needs once, without keeping its weights).
   */
  async once<R>(model: GraphModel, use: (session: OrtSessionLike) => Promise<R>): Promise<R> {
    if (this.disposed) throw new Error('the engine has been disposed');
    const session = await this.ort.InferenceSession.create(model.bytes, this.options(model));
    try {
      return await use(session);
    } finally {
      await session.release();
    }
  }

  async releaseAll(): Promise<void> {
    this.disposed = true;
    const pending = [...this.sessions.values()];
    this.sessions.clear();
    for (const p of pending) {
      try {
        await (await p).release();
      } catch {
        // A session that never came up has nothing to release.
      }
    }
  }

  /** After a fallback, drops sessions made for the old provider so that all graphs run on one. */
  private async releaseOthers(keep: Name): Promise<void> {
    for (const [name, pending] of [...this.sessions]) {
      if (name === keep) continue;
      this.sessions.delete(name);
      await pending.then((s) => s.release()).catch(() => undefined);
    }
  }

  private async create(name: Name): Promise<OrtSessionLike> {
    const report = this.events.onProgress ?? (() => undefined);
    report(`building the ${name} graph`, 0);
    const buildStart = performance.now();
    const model = this.build(name);
    const createStart = performance.now();
    report(`creating the ${name} session`, 0.5);
    let session: OrtSessionLike;
    try {
      session = await this.ort.InferenceSession.create(model.bytes, this.options(model));
    } catch (error) {
      if (this.kind !== 'webgpu') throw new Error(`could not create the ${name} session: ${(error as Error).message}`);
      this.kind = 'wasm';
      const detail = (error as Error).message;
      this.events.onFallback?.(`WebGPU could not run the model (${detail}); using WASM.`, detail);
      await this.releaseOthers(name);
      session = await this.ort.InferenceSession.create(model.bytes, this.options(model));
    }
    report(`created the ${name} session`, 1);
    this.events.onCreated?.(name, createStart - buildStart, performance.now() - createStart);
    return session;
  }

  private options(model: GraphModel): Record<string, unknown> {
    return { ...sessionOptions(this.kind), externalData: model.externalData };
  }
}
