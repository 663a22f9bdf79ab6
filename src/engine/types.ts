// The engine's public contract. Everything here is plain data so that results can cross
// worker, webview and process boundaries (structured clone or JSON) unchanged.

/**
 * Hyper-parameters of a checkpoint, normalised from Hugging Face's config.json. The top-level
 * names are GPT-2's (the views and the host read them) but mean the same for every family;
 * what differs between families is in `architecture`.
 */
export interface ModelConfig {
  /** Display name, e.g. the checkpoint folder's name ("tiny-gpt2-software"). */
  name: string;
  /** Rows of the input embedding: every token id must be below it. */
  vocabSize: number;
  /** Context length: the most tokens one forward pass can see (n_positions, max_position_embeddings). */
  nPositions: number;
  /** Width of the residual stream (n_embd, hidden_size). */
  nEmbd: number;
  nLayer: number;
  /** Query heads; attention maps have one [T, T] matrix per query head. */
  nHead: number;
  /** Inner size of the MLP (n_inner or 4 * n_embd; intermediate_size). */
  nInner: number;
  /** Epsilon of every normalisation layer, LayerNorm or RMSNorm (layer_norm_epsilon, rms_norm_eps). */
  layerNormEpsilon: number;
  /** The token that ends a text (the first one where config.json lists several). */
  eosTokenId: number;
  architecture: Architecture;
}

/** model_type values LLM Lens runs; mistral and the qwen types share llama's layout. */
export type ModelFamily = 'gpt2' | 'llama' | 'mistral' | 'qwen2' | 'qwen3';

/** What the blocks compute: the parts in which the supported families differ. */
export interface Architecture {
  family: ModelFamily;
  /** Size of one attention head; not always nEmbd / nHead (Qwen3, Mistral Nemo). */
  headDim: number;
  /** Key/value heads: nHead for plain multi-head attention, fewer for GQA, 1 for multi-query. */
  kvHeads: number;
  /** kvHeadOf[h] is the key/value head that query head h reads (consecutive query heads share one). */
  kvHeadOf: number[];
  /** LayerNorm (x - mean, / std, * weight + bias) or RMSNorm (x / rms, * weight). */
  norm: 'layer' | 'rms';
  positions: PositionEncoding;
  attention: AttentionVariant;
  mlp: MlpVariant;
  /** The output embedding is the input embedding (no separate lm_head.weight is used). */
  tiedEmbeddings: boolean;
  bosTokenId: number | null;
  /** Every end-of-text id config.json lists (Llama 3.1 lists three). */
  eosTokenIds: number[];
}

export type PositionEncoding =
  /** A learned row per position added to the token's embedding (GPT-2's wpe). */
  | { kind: 'learned' }
  /** Rotary embeddings on queries and keys, rotate_half convention (first half / second half of a head). */
  | { kind: 'rope'; theta: number; scaling: RopeScaling | null };

export type RopeScaling =
  /** Positions divided by `factor`. */
  | { type: 'linear'; factor: number }
  /** Llama 3.1's: low frequencies divided by `factor`, high ones kept, a smooth blend between. */
  | { type: 'llama3'; factor: number; lowFreqFactor: number; highFreqFactor: number; originalContext: number };

export interface AttentionVariant {
  /** Biases on the query, key and value projections (GPT-2, Qwen2, attention_bias). */
  qkvBias: boolean;
  /** A bias on the output projection (GPT-2, attention_bias in Llama and Qwen3). */
  outBias: boolean;
  /** RMSNorm over each head's query and key before the rotation (Qwen3's q_norm / k_norm). */
  qkNorm: boolean;
  /** Scores are divided by sqrt(headDim) (always, except GPT-2 with scale_attn_weights false). */
  scaleBySqrtHeadDim: boolean;
  /** Scores of layer i are also divided by i + 1 (GPT-2's scale_attn_by_inverse_layer_idx). */
  scaleByInverseLayer: boolean;
  /** A query sees only the `size` latest keys (itself included) in `layers`; null: every earlier key. */
  slidingWindow: { size: number; layers: number[] } | null;
}

export type MlpVariant =
  /** down(gelu(up(x))): gelu_tanh is the tanh approximation (gelu_new), gelu_erf the exact form. */
  | { kind: 'gelu'; activation: 'gelu_tanh' | 'gelu_erf'; bias: boolean }
  /** down(silu(gate(x)) * up(x)) (SwiGLU). */
  | { kind: 'gated'; activation: 'silu'; bias: boolean };

export type BackendName = 'webgpu' | 'wasm' | 'native';

/** How the runtime holds the weights of matrix products: float32, or 8 bits (int8-weights.ts). */
export type WeightPrecision = 'float32' | 'int8';
/** What a caller asks for: 'auto' is float32 when it fits the runtime's heap, else 8-bit. */
export type WeightPreference = 'auto' | WeightPrecision;

/** 8-bit weights in use, and why (absent from BackendInfo: float32). */
export interface Int8WeightsInfo {
  precision: 'int8';
  /** 'tooBig': float32 would not fit the heap; 'requested': asked for. */
  why: 'tooBig' | 'requested';
  /** Bytes the weights would take in float32, and take now, and the heap's size. */
  float32Bytes: number;
  heldBytes: number;
  heapBytes: number;
}

/**
 * How far 8-bit weights move a text's numbers from float32 weights, measured on the first
 * `positions` scored tokens of that text (LensEngine.weightError).
 */
export interface WeightError {
  positions: number;
  /** Largest and mean |log p(int8) - log p(float32)| of each next token, in nats. */
  maxLogprobDiff: number;
  meanLogprobDiff: number;
  /** Positions whose most likely next token is the same in both. */
  sameTop1: number;
}
export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

/** Which execution provider ran and why: shown to users in footers and hovers. */
export interface BackendInfo {
  name: BackendName;
  /** One sentence, e.g. "WebGPU adapter is a software fallback (SwiftShader); using WASM". */
  reason: string;
  /** WASM threads in use (1 where the page is not cross-origin isolated). */
  threads?: number;
  /** The adapter's description when WebGPU was probed. */
  adapter?: string;
  /** The reason as a code and its values, so that views can say it in the user's language. */
  why?: BackendWhy;
  /** The model runs in the extension host's model worker (shared with the hover), not in the panel. */
  host?: boolean;
  /** Present when the weights are 8-bit. */
  weights?: Int8WeightsInfo;
}

export type BackendWhyCode =
  | 'wasmRequested'
  | 'noWebGpu'
  | 'noAdapter'
  | 'adapterFailed'
  | 'softwareAdapter'
  | 'webgpu'
  | 'webgpuRequested'
  | 'webgpuSoftware'
  | 'webgpuFailed'
  | 'native'
  /** The panel found no hardware WebGPU adapter (detail: what it found): the host's worker runs the model. */
  | 'hostWorker'
  /** WASM was asked for: the host's worker runs it, with more threads than the panel may use. */
  | 'hostWorkerRequested';

export interface BackendWhy {
  code: BackendWhyCode;
  /** An error message (adapterFailed, webgpuFailed). */
  detail?: string;
  /** The adapter's description (softwareAdapter). */
  adapter?: string;
}

/** [token id, log-probability] */
export type TokenLogprob = [number, number];

export interface TargetScore {
  /** The token that actually came next. */
  id: number;
  /** Natural-log probability the model gave it. */
  logprob: number;
  /** 1 for the most likely token; 1 + the number of tokens strictly more likely. */
  rank: number;
}

/** The model's prediction after reading tokens 0..t, i.e. for token t+1. */
export interface PositionPrediction {
  top: TokenLogprob[];
  /** null at the last position, where no next token exists in the input. */
  target: TargetScore | null;
  /** Entropy of the next-token distribution, in nats. */
  entropy: number;
}

export interface Truncation {
  /** Tokens in the whole input. */
  totalTokens: number;
  /** Tokens dropped from the start: the model saw ids[dropped ...]. */
  droppedTokens: number;
  /** The model's context length. */
  keptTokens: number;
}

export interface AnalyzeOptions {
  /** How many most likely next tokens to report per position (default 20). */
  topK?: number;
  /** Also return attention probabilities. */
  attention?: boolean;
  /** Also return the residual stream. */
  hidden?: boolean;
}

export interface Analysis {
  model: string;
  backend: BackendInfo;
  /** The ids the model saw (after truncation to the context). */
  ids: number[];
  /** positions[t] predicts ids[t + 1]. */
  positions: PositionPrediction[];
  /** Attention probabilities, flat [layers, heads, T, T] (query-major, then key). */
  attention?: Float32Array;
  /** Residual stream, flat [layers + 1, T, d]: after the embedding (0) and after each block (1..L), before ln_f. */
  hidden?: Float32Array;
  truncated?: Truncation;
  timings: { totalMs: number; trunkMs: number; headMs: number };
}

/** The exact next-token distribution at one position at a temperature (softmax over the whole vocabulary). */
export interface Distribution {
  position: number;
  temperature: number;
  top: TokenLogprob[];
  /** The actual next token's score under this temperature; null at the last position. */
  target: TargetScore | null;
  entropy: number;
}

/** Hover path: the scores of the last token and the distribution after it. */
export interface LastPrediction {
  /** How likely the last token was given what precedes it, at temperature 1 (the model's own); null when it is the first token. */
  lastToken: TargetScore | null;
  /** The distribution over the token that would come next. */
  next: Distribution;
  timings: { totalMs: number };
}

/** Logit lens: the top tokens read from the residual stream of one layer at one position. */
export interface LensCell {
  layer: number;
  position: number;
  top: TokenLogprob[];
}

/** [token id, token text, cosine similarity] */
export type Neighbour = [number, string, number];

/** One token of a tokenization, with where it came from in the input. */
export interface TokenSpan {
  id: number;
  /** The token's text; U+FFFD where its bytes are only part of a character. */
  text: string;
  /** UTF-16 offsets into the input (what VS Code positions use): input.slice(start, end). */
  start: number;
  end: number;
  /** The token's UTF-8 bytes as lowercase hex, e.g. "e4bd". */
  bytes: string;
  /** True when the token's bytes start or end inside a character (CJK, emoji split across tokens). */
  partial?: boolean;
  /**
   * True for a token the tokenizer adds that stands for no text (BOS, EOS): its span is empty,
   * at 0 for BOS and at the end of the text for EOS, and its bytes are its name's.
   */
  special?: boolean;
}

export type EncodingName = 'r50k_base' | 'cl100k_base' | 'o200k_base';
