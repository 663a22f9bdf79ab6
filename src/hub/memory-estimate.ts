// How much memory a model needs in LLM Lens's runtime, from its config alone, so that one that
// cannot run is refused with the numbers before its weights are downloaded or read. The engine
// (src/engine/model-graphs.ts) runs float32 on onnxruntime-web, whatever the checkpoint's dtype:
//   - the checkpoint's bytes stay in memory as stored (Checkpoint reads tensors from them);
//   - three graphs hold float32 copies: the trunk (every block), the head (the unembedding,
//     [d, V]) and the neighbours graph (the normalised input embedding, [d, V]);
//   - each graph is one protobuf while its session is created (at most 2 GiB: protobuf's limit),
//     and onnxruntime-web copies it into WebAssembly memory (at most 4 GiB: wasm32's);
//   - a forward pass over T tokens holds the residual stream after every layer, every layer's
//     attention probabilities [H, T, T] (the panel shows them), the MLP's inner activations and
//     the logits [T, V].
// Pure: the extension host and the CLI compare it with the machine's memory.
import type { ModelConfig } from '../engine/types';
import { english, type Localize } from '../localize';

const FLOAT32 = 4;
/** protobuf's limit on one serialised message: one graph with its initializers. */
export const MAX_GRAPH_BYTES = 2 * 1024 ** 3;
/** wasm32 addresses 4 GiB: onnxruntime-web's weights and activations all live there. */
export const MAX_WASM_BYTES = 4 * 1024 ** 3;
/** onnxruntime's own arenas and the JavaScript heap around it, measured on GPT-2 (see BENCHMARKS.md). */
const RUNTIME_OVERHEAD_BYTES = 150 * 1024 ** 2;

export interface MemoryEstimate {
  parameters: number;
  /** float32 weights of the largest graph (must stay under MAX_GRAPH_BYTES). */
  largestGraphBytes: number;
  /** Everything in WebAssembly memory: the graphs' weights and one forward pass (must stay under MAX_WASM_BYTES). */
  wasmBytes: number;
  /** One forward pass over `contextTokens`. */
  activationBytes: number;
  /** The process's need at its peak: stored weights, WebAssembly memory, and the largest graph's protobuf while it loads. */
  totalBytes: number;
  contextTokens: number;
}

export interface ParameterCounts {
  /** Every block's weights (the trunk graph). */
  blocks: number;
  /** Input embedding rows (and learned positions). */
  embedding: number;
  /** The unembedding: the embedding again when tied. */
  unembedding: number;
  total: number;
}

/** Parameters by where the engine puts them, from the config's shapes. */
export function countParameters(config: ModelConfig): ParameterCounts {
  const { nEmbd: d, vocabSize: V, nLayer: L, nHead: H, nInner: F, architecture: a } = config;
  const q = H * a.headDim;
  const kv = a.kvHeads * a.headDim;
  const norm = a.norm === 'layer' ? 2 * d : d;
  const attention = d * (q + 2 * kv) + q * d + (a.attention.qkvBias ? q + 2 * kv : 0) + (a.attention.outBias ? d : 0) + (a.attention.qkNorm ? 2 * a.headDim : 0);
  const mlp = a.mlp.kind === 'gated' ? 3 * d * F + (a.mlp.bias ? 2 * F + d : 0) : 2 * d * F + (a.mlp.bias ? F + d : 0);
  const blocks = L * (attention + mlp + 2 * norm) + norm;
  const embedding = V * d + (a.positions.kind === 'learned' ? config.nPositions * d : 0);
  const unembedding = V * d;
  return { blocks, embedding, unembedding, total: blocks + embedding + (a.tiedEmbeddings ? 0 : unembedding) };
}

/**
 * The estimate for a checkpoint stored in `storedWeightsBytes` (the weights files' size), reading
 * `contextTokens` at once (the panel: up to 1,024; the hover: up to 512).
 */
export function estimateMemory(config: ModelConfig, storedWeightsBytes: number, contextTokens: number): MemoryEstimate {
  const counts = countParameters(config);
  const { nEmbd: d, vocabSize: V, nLayer: L, nHead: H, nInner: F } = config;
  const T = Math.max(1, Math.min(contextTokens, config.nPositions));
  const trunk = counts.blocks * FLOAT32;
  const head = (counts.unembedding + d) * FLOAT32;
  const neighbours = V * d * FLOAT32;
  const activationBytes = FLOAT32 * ((L + 1) * T * d + 2 * L * H * T * T + 3 * T * F + 2 * T * V);
  const wasmBytes = trunk + head + neighbours + activationBytes + RUNTIME_OVERHEAD_BYTES;
  const largestGraphBytes = Math.max(trunk, head, neighbours);
  return { parameters: counts.total, largestGraphBytes, wasmBytes, activationBytes, totalBytes: storedWeightsBytes + wasmBytes + largestGraphBytes, contextTokens: T };
}

/** Bytes per parameter of config.json's torch_dtype (newer files say dtype): for a download's size before it is known. */
export function bytesPerParameter(configJson: unknown): number {
  const record = typeof configJson === 'object' && configJson !== null ? (configJson as Record<string, unknown>) : {};
  const dtype = String(record.torch_dtype ?? record.dtype ?? 'float32');
  return dtype === 'float16' || dtype === 'bfloat16' ? 2 : 4;
}

export interface MachineMemory {
  totalBytes: number;
  freeBytes: number;
}

export type MemoryVerdict =
  | { fits: 'yes' }
  /** It fits the runtime and the machine, but not in the memory free now: it may swap or fail. */
  | { fits: 'tight'; message: string }
  | { fits: 'no'; message: string };

/**
 * Whether `copies` instances of the model fit (the extension runs two: the panel's and the
 * hover's), as a sentence with the numbers when they do not.
 */
export function memoryVerdict(name: string, estimate: MemoryEstimate, machine: MachineMemory, copies: number, localize: Localize = english): MemoryVerdict {
  const t = localize;
  const gb = (bytes: number) => (bytes / 1e9).toFixed(1);
  if (estimate.largestGraphBytes > MAX_GRAPH_BYTES) {
    return {
      fits: 'no',
      message: t(
        '{0} is too large for LLM Lens: its {1} million parameters need {2} GB of float32 weights in one graph, and the runtime takes at most {3} GB per graph',
        name,
        Math.round(estimate.parameters / 1e6),
        gb(estimate.largestGraphBytes),
        gb(MAX_GRAPH_BYTES),
      ),
    };
  }
  if (estimate.wasmBytes > MAX_WASM_BYTES) {
    return {
      fits: 'no',
      message: t(
        '{0} is too large for LLM Lens: with {1} tokens of context it needs {2} GB in the WebAssembly runtime, which addresses at most {3} GB',
        name,
        estimate.contextTokens,
        gb(estimate.wasmBytes),
        gb(MAX_WASM_BYTES),
      ),
    };
  }
  const need = estimate.totalBytes * copies;
  if (need > machine.totalBytes) {
    return { fits: 'no', message: t('{0} needs about {1} GB of memory, and this machine has {2} GB', name, gb(need), gb(machine.totalBytes)) };
  }
  if (need > machine.freeBytes) {
    return { fits: 'tight', message: t('{0} needs about {1} GB of memory and {2} GB is free now: it may be slow or fail to load', name, gb(need), gb(machine.freeBytes)) };
  }
  return { fits: 'yes' };
}
