// Checkpoint folders (config.json + model.safetensors) built by tests: a tiny random GPT-2 whose
// embedding has more rows than the tokenizer has ids (nanoGPT pads 50,257 to 50,304), and raw
// safetensors files with whatever tensor names and dtypes a test needs.
import fs from 'node:fs';
import path from 'node:path';

export interface RawTensor {
  /** Any string: tests write dtypes the loader refuses too. */
  dtype: string;
  shape: number[];
  data: Uint8Array;
}

/** The bytes of a safetensors file holding `tensors`, in the order given. */
export function safetensorsBytes(tensors: Record<string, RawTensor>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const [name, tensor] of Object.entries(tensors)) {
    header[name] = { dtype: tensor.dtype, shape: tensor.shape, data_offsets: [offset, offset + tensor.data.byteLength] };
    offset += tensor.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength;
  for (const tensor of Object.values(tensors)) {
    out.set(tensor.data, at);
    at += tensor.data.byteLength;
  }
  return out;
}

export function float32Tensor(shape: number[], values: Float32Array): RawTensor {
  return { dtype: 'F32', shape, data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

/** Writes config.json and model.safetensors into `folder` (created if missing). */
export function writeCheckpoint(folder: string, config: Record<string, unknown>, weights: Uint8Array): void {
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify(config, null, 2));
  fs.writeFileSync(path.join(folder, 'model.safetensors'), weights);
}

/** GPT-2's tokenizer has ids 0..50,256; the padded checkpoint has 47 rows more. */
export const TOKENIZER_IDS = 50_257;
export const PADDED_VOCAB = 50_304;
/** The padded id every position predicts first (see paddedGpt2). */
export const PADDED_FAVOURITE = 50_300;

export const PADDED_CONFIG = {
  model_type: 'gpt2',
  vocab_size: PADDED_VOCAB,
  n_positions: 64,
  n_embd: 8,
  n_layer: 2,
  n_head: 2,
  activation_function: 'gelu_new',
  layer_norm_epsilon: 1e-5,
  eos_token_id: 50_256,
};

/**
 * A tiny random GPT-2 with a padded vocabulary, made so that padded ids lead every ranking:
 * ln_f has weight 0 and bias 1, so every residual leaves ln_f as the all-ones vector and a
 * token's logit (tied unembedding) is the sum of its wte row. Real rows are small (|logit| < 1);
 * padded rows are constant vectors, 50,300's the largest (logit 16, p ≈ 0.98), the others near 8,
 * so the top tokens at every position and layer are ids without text, and the nearest
 * embeddings of a padded id (all collinear) are padded ids too.
 */
export function paddedGpt2(): { config: typeof PADDED_CONFIG; weights: Uint8Array } {
  const { n_embd: d, n_positions: P, n_layer: L } = PADDED_CONFIG;
  let seed = 12345;
  // A linear congruential generator (Numerical Recipes' constants): the same weights on every run.
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return (seed / 2 ** 32) * 2 - 1;
  };
  const filled = (length: number, value: () => number) => Float32Array.from({ length }, value);
  const wte = filled(PADDED_VOCAB * d, () => 0.1 * random());
  for (let id = TOKENIZER_IDS; id < PADDED_VOCAB; id++) {
    wte.fill(id === PADDED_FAVOURITE ? 2 : 1 + (id - TOKENIZER_IDS) / 1000, id * d, (id + 1) * d);
  }
  const tensors: Record<string, RawTensor> = {
    'wte.weight': float32Tensor([PADDED_VOCAB, d], wte),
    'wpe.weight': float32Tensor([P, d], filled(P * d, () => 0.1 * random())),
    'ln_f.weight': float32Tensor([d], new Float32Array(d)),
    'ln_f.bias': float32Tensor([d], new Float32Array(d).fill(1)),
  };
  const small = (shape: number[]) => float32Tensor(shape, filled(shape.reduce((a, b) => a * b, 1), () => 0.1 * random()));
  const ones = (n: number) => float32Tensor([n], new Float32Array(n).fill(1));
  const zeros = (n: number) => float32Tensor([n], new Float32Array(n));
  for (let layer = 0; layer < L; layer++) {
    const h = `h.${layer}`;
    Object.assign(tensors, {
      [`${h}.ln_1.weight`]: ones(d),
      [`${h}.ln_1.bias`]: zeros(d),
      [`${h}.attn.c_attn.weight`]: small([d, 3 * d]),
      [`${h}.attn.c_attn.bias`]: zeros(3 * d),
      [`${h}.attn.c_proj.weight`]: small([d, d]),
      [`${h}.attn.c_proj.bias`]: zeros(d),
      [`${h}.ln_2.weight`]: ones(d),
      [`${h}.ln_2.bias`]: zeros(d),
      [`${h}.mlp.c_fc.weight`]: small([d, 4 * d]),
      [`${h}.mlp.c_fc.bias`]: zeros(4 * d),
      [`${h}.mlp.c_proj.weight`]: small([4 * d, d]),
      [`${h}.mlp.c_proj.bias`]: zeros(d),
    });
  }
  return { config: PADDED_CONFIG, weights: safetensorsBytes(tensors) };
}
