// How much memory a model needs in LLM Lens's runtime, from its config alone, so that one that
// cannot run is refused with the numbers before its weights are downloaded or read. The engine
// (src/engine/model-graphs.ts) runs on onnxruntime-web in float32 whatever the checkpoint's
// dtype, or in 8 bits where float32 would not fit (memory-fit.ts' chooseWeights, asked here too):
//   - one session per block and one vocabulary session hold every weight once (the [V, d] table
//     once where the unembedding is tied, else the unembedding and the input embedding);
//   - a session's weights reach the runtime as external data: that graph's float32 weights are in
//     JavaScript while its session is created (the largest graph at most), and the vocabulary
//     table is in WebAssembly memory twice while it is prepacked (at most 4 GiB: wasm32's);
//   - the checkpoint's bytes: the hover's worker and the CLI read tensors from the file when
//     asked, the panel holds the file it fetched; counted as held (the panel's case);
//   - a forward pass over T tokens runs one block at a time: that block's scores and softmax
//     [H, T, T] and MLP activations are in flight in WebAssembly memory; the residual stream after
//     every layer and, for the panel, every layer's attention probabilities are copied out to
//     JavaScript; the head runs 64 positions at a time, so the logits are [64, V] at most.
// Pure: the extension host and the CLI compare it with the machine's memory.
import { parseModelConfig } from '../engine/families';
import { chooseWeights, INT8_BYTES_PER_PARAMETER, WASM_HEAP_BYTES, weightFootprint } from '../engine/memory-fit';
import type { ModelConfig, WeightPrecision, WeightPreference } from '../engine/types';
import { english, type Localize } from '../localize';
import { LIMITS } from '../protocol';

const FLOAT32 = 4;
/** The engine's HEAD_ROWS_PER_RUN: positions per run of the head graph. */
const HEAD_ROWS = 64;
/**
 * The most float32 weight bytes one graph hands the runtime: external data travels as one
 * ArrayBuffer per initializer, and 2 GiB keeps every one of them within what Chromium and Node
 * allocate at once. Never reached by a model that fits MAX_WASM_BYTES (its largest graph is a
 * block or the vocabulary table).
 */
export const MAX_GRAPH_BYTES = 2 * 1024 ** 3;
/** wasm32 addresses 4 GiB: onnxruntime-web's weights and activations all live there (the engine's own check uses the same). */
export const MAX_WASM_BYTES = WASM_HEAP_BYTES;
/**
 * Node, onnxruntime's code and heap, and the JavaScript heap around them. Calibrated on a random
 * checkpoint of GPT-2 small's shape (a 249 MB fp16 file, 498 MB of float32 weights) with the
 * per-block sessions: `llm-lens analyze` peaked at 1,297 MiB resident on a short text and
 * 1,380 MiB on 1,024 tokens without attention, where this estimate (for one copy, the file counted
 * as held) gives 1,307 and 1,511 MiB (2 shared cores, 23 GB of memory, Node 20, 2026-12-02).
 */
const RUNTIME_OVERHEAD_BYTES = 300 * 1024 ** 2;

export interface MemoryEstimate {
  parameters: number;
  /** float32 weights of the largest graph: one block, or the vocabulary graph (must stay under MAX_GRAPH_BYTES). */
  largestGraphBytes: number;
  /** Everything in WebAssembly memory: the graphs' weights and one forward pass (must stay under MAX_WASM_BYTES). */
  wasmBytes: number;
  /** One forward pass over `contextTokens`. */
  activationBytes: number;
  /** The process's need at its peak: stored weights, WebAssembly memory, what is copied out, and the largest graph's weights while its session is created. */
  totalBytes: number;
  contextTokens: number;
  /** How the engine would hold the weights (LensEngine's choice: 8-bit only where float32 does not fit, or when asked). */
  precision: WeightPrecision;
  /** What the engine's own check before loading counts at this precision (memory-fit.ts' weightFootprint): over MAX_WASM_BYTES, it refuses the model. */
  engineNeedBytes: number;
}

export interface ParameterCounts {
  /** Every block's weights (the trunk graph). */
  blocks: number;
  /** Input embedding rows (and learned positions). */
  embedding: number;
  /** The norm before the unembedding (in the head graph). */
  finalNorm: number;
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
  const blocks = L * (attention + mlp + 2 * norm);
  const embedding = V * d + (a.positions.kind === 'learned' ? config.nPositions * d : 0);
  const unembedding = V * d;
  return { blocks, embedding, finalNorm: norm, unembedding, total: blocks + embedding + norm + (a.tiedEmbeddings ? 0 : unembedding) };
}

/**
 * The estimate for a checkpoint stored in `storedWeightsBytes` (the weights files' size), reading
 * `contextTokens` at once, with every layer's attention (the panel, up to 1,024 tokens) or
 * without (the hover, up to 512).
 */
export function estimateMemory(config: ModelConfig, storedWeightsBytes: number, contextTokens: number, withAttention = true, precision: WeightPrecision = 'float32'): MemoryEstimate {
  const counts = countParameters(config);
  const { nEmbd: d, vocabSize: V, nLayer: L, nHead: H, nInner: F, architecture: a } = config;
  const T = Math.max(1, Math.min(contextTokens, config.nPositions));
  const perParameter = precision === 'int8' ? INT8_BYTES_PER_PARAMETER : FLOAT32;
  const blocks = counts.blocks * perParameter;
  // float32: the table's prepacked copy; 8-bit: the table dequantized while the head's product runs.
  const table = V * d * FLOAT32;
  // Tied: one [V, d] table serves the head and the neighbours; untied: the unembedding and the input embedding.
  const vocab = (a.tiedEmbeddings ? 1 : 2) * V * d * perParameter + counts.finalNorm * FLOAT32;
  // One block's scores and softmax in flight, its MLP's inner rows, and the head's [64, V] logits.
  const activationBytes = FLOAT32 * (2 * H * T * T + 3 * T * F + 2 * Math.min(T, HEAD_ROWS) * V + 4 * T * d);
  // The table's prepacked copy is made while the original is still there.
  const wasmBytes = blocks + vocab + table + activationBytes + RUNTIME_OVERHEAD_BYTES;
  const largestGraphBytes = Math.max(blocks / Math.max(1, L), vocab);
  // The engine copies the residual stream (and the panel's attention maps) out of WebAssembly memory.
  const copiedOut = FLOAT32 * ((withAttention ? L * H * T * T : 0) + (L + 1) * T * d);
  const engineNeedBytes = weightFootprint(counts.total, V, d, MAX_WASM_BYTES, perParameter).neededBytes;
  return { parameters: counts.total, largestGraphBytes, wasmBytes, activationBytes, totalBytes: storedWeightsBytes + wasmBytes + largestGraphBytes + copiedOut, contextTokens: T, precision, engineNeedBytes };
}

/** The most tokens a hover reads (llmLens.hover.contextTokens' maximum). */
const HOVER_CONTEXT_TOKENS = 512;

/**
 * What the extension holds of a model, least first (see memoryVerdict): the hover's worker (its
 * longest context, no attention) and the panel's engine (the longest text it analyses, with
 * every layer's attention).
 */
export function extensionMemoryEstimates(config: ModelConfig, storedWeightsBytes: number, weights: WeightPreference = 'auto'): MemoryEstimate[] {
  // The precision is the engine's own choice, so that the picker never says one thing and the load another.
  const choice = chooseWeights(config.name, countParameters(config).total, config.vocabSize, config.nEmbd, weights);
  // Refused by the engine: the estimates of its least need, which the verdict refuses with its numbers.
  const precision: WeightPrecision = 'precision' in choice ? choice.precision : weights === 'float32' ? 'float32' : 'int8';
  return [estimateMemory(config, storedWeightsBytes, HOVER_CONTEXT_TOKENS, false, precision), estimateMemory(config, storedWeightsBytes, LIMITS.analysisTokens, true, precision)];
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
 * Whether the model fits, loaded once per estimate (the extension loads it twice: the hover's
 * worker and the panel's engine). The first estimate is the least the model needs: over a
 * limit there, it cannot run ('no'); the others are heavier uses (a long text in the panel),
 * which get a warning ('tight'). Said with the numbers.
 */
export function memoryVerdict(name: string, estimates: readonly MemoryEstimate[], machine: MachineMemory, localize: Localize = english): MemoryVerdict {
  const gb = (bytes: number) => (bytes / 1e9).toFixed(1);
  // A need just over a limit reads "4.31 … at most 4.29", not "4.3 … at most 4.3".
  const apart = (need: number, limit: number) => (gb(need) === gb(limit) ? [(need / 1e9).toFixed(2), (limit / 1e9).toFixed(2)] : [gb(need), gb(limit)]);
  const [least, ...heavier] = estimates;
  if (!least) return { fits: 'yes' };
  const graph = estimates.find((e) => e.largestGraphBytes > MAX_GRAPH_BYTES);
  if (graph) {
    return {
      fits: 'no',
      message: localize(
        '{0} is too large for LLM Lens: its {1} million parameters need {2} GB of float32 weights in one graph, and the runtime takes at most {3} GB per graph',
        name,
        Math.round(graph.parameters / 1e6),
        gb(graph.largestGraphBytes),
        gb(MAX_GRAPH_BYTES),
      ),
    };
  }
  if (least.wasmBytes > MAX_WASM_BYTES || least.engineNeedBytes > MAX_WASM_BYTES) {
    return {
      fits: 'no',
      message: localize('{0} is too large for LLM Lens: it needs {1} GB in the WebAssembly runtime, which addresses at most {2} GB', name, ...apart(Math.max(least.wasmBytes, least.engineNeedBytes), MAX_WASM_BYTES)),
    };
  }
  if (least.totalBytes > machine.totalBytes) {
    return { fits: 'no', message: localize('{0} needs about {1} GB of memory, and this machine has {2} GB', name, gb(least.totalBytes), gb(machine.totalBytes)) };
  }
  const need = estimates.reduce((sum, e) => sum + e.totalBytes, 0);
  if (need > machine.freeBytes) {
    return { fits: 'tight', message: localize('{0} needs about {1} GB of memory and {2} GB is free now: it may be slow or fail to load', name, gb(need), gb(machine.freeBytes)) };
  }
  const long = heavier.find((e) => e.wasmBytes > MAX_WASM_BYTES);
  if (long) {
    return {
      fits: 'tight',
      message: localize(
        '{0} runs, but reading {1} tokens at once needs {2} GB in the WebAssembly runtime, over its {3} GB: explain shorter texts',
        name,
        long.contextTokens,
        gb(long.wasmBytes),
        gb(MAX_WASM_BYTES),
      ),
    };
  }
  return { fits: 'yes' };
}

/**
 * Before a download, from config.json alone (the weights' size from its dtype): 'no' when the
 * model could never run here, whatever the text. `least` gives the least use's estimate.
 */
export function configJsonVerdict(
  configJson: string,
  configPath: string,
  name: string,
  least: (config: ModelConfig, storedWeightsBytes: number) => MemoryEstimate,
  machine: MachineMemory,
  localize: Localize = english,
): MemoryVerdict {
  const config = parseModelConfig(configJson, configPath, name);
  const stored = countParameters(config).total * bytesPerParameter(JSON.parse(configJson));
  return memoryVerdict(name, [least(config, stored)], machine, localize);
}
