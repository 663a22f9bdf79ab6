// Random checkpoints shaped like real models, made in memory so the benchmark needs no download.
// Values are N(0, 0.02) as in GPT-2's initialisation (norm weights 1, biases 0): the timing of a
// forward pass does not depend on what the weights are.
import fs from 'node:fs';
import path from 'node:path';
import { Checkpoint } from '../src/engine/checkpoint';
import { familyOf, parseModelConfig } from '../src/engine/families';
import { encodeSafetensors, type RawTensor } from '../test/unit/safetensors-writer';

/** GPT-2 small (124 M parameters): 12 layers, 12 heads, d = 768, 1,024 positions, tied unembedding. */
export const GPT2_SMALL = { vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12 };

/**
 * Qwen2.5-0.5B's shape (its config.json's fields): hidden 896, 24 layers, 14 query and 2
 * key/value heads of 64, MLP 4,864, a 151,936-row vocabulary, tied; 494,032,768 parameters.
 */
export const QWEN25_05B = {
  architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', hidden_size: 896, intermediate_size: 4864,
  num_attention_heads: 14, num_hidden_layers: 24, num_key_value_heads: 2, vocab_size: 151936,
  max_position_embeddings: 32768, rope_theta: 1000000.0, rms_norm_eps: 1e-6, tie_word_embeddings: true,
  hidden_act: 'silu', use_sliding_window: false, sliding_window: 32768, max_window_layers: 21, torch_dtype: 'bfloat16',
  bos_token_id: 151643, eos_token_id: 151643,
};

/**
 * A random checkpoint of any supported family as a model folder, its tensors named and shaped
 * as the family expects them (norm weights 1, biases 0, the rest random; fp16).
 */
export function writeRandomDir(dir: string, config: Record<string, unknown>): void {
  const configJson = JSON.stringify(config);
  const parsed = parseModelConfig(configJson, 'config.json', 'random');
  const table = randomHalves();
  const tensors: RawTensor[] = [];
  let seed = 0;
  for (const [name, shape] of familyOf(parsed.architecture.family).expectedTensors(parsed)) {
    const fill = /norm\.weight$/.test(name) ? 'ones' : /\.bias$/.test(name) ? 'zeros' : 'random';
    tensors.push(tensor(name, shape, fill, table, seed++));
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), configJson);
  fs.writeFileSync(path.join(dir, 'model.safetensors'), encodeSafetensors(tensors));
}

/** float32 -> IEEE half bits (round toward zero; magnitudes below the smallest normal half become 0). */
function halfBits(value: number): number {
  const bits = new Uint32Array(Float32Array.of(value).buffer)[0]!;
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  if (exponent <= 0) return sign;
  return sign | (Math.min(exponent, 30) << 10) | ((bits >>> 13) & 0x3ff);
}

/** 4,096 half-precision draws of N(0, 0.02) (Box-Muller, a fixed seed), reused cyclically with a stride. */
function randomHalves(): Uint16Array {
  let state = 0x9e3779b9;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) + 1) / 4294967297;
  };
  return Uint16Array.from({ length: 4096 }, () => halfBits(0.02 * Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())));
}

function tensor(name: string, shape: number[], fill: 'random' | 'ones' | 'zeros', table: Uint16Array, seed: number): RawTensor {
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Uint16Array(count);
  if (fill === 'ones') data.fill(halfBits(1));
  if (fill === 'random') for (let i = 0; i < count; i++) data[i] = table[(i * 2654435761 + seed * 97) & 4095]!;
  return { name, dtype: 'F16', shape, data: new Uint8Array(data.buffer) };
}

/** A GPT-2-small-shaped checkpoint as Hugging Face stores it (fp16 safetensors, Conv1D [in, out] weights). */
export function randomGpt2Small(): { checkpoint: Checkpoint; fileBytes: number } {
  const { configJson, weights } = gpt2SmallFiles();
  return { checkpoint: Checkpoint.load({ name: 'random GPT-2 small', configJson, weights }), fileBytes: weights.byteLength };
}

/** The same as a model folder: config.json and model.safetensors in `dir`. */
export function writeGpt2SmallDir(dir: string): void {
  const { configJson, weights } = gpt2SmallFiles();
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'config.json'), configJson);
  fs.writeFileSync(path.join(dir, 'model.safetensors'), weights);
}

function gpt2SmallFiles(): { configJson: string; weights: Uint8Array } {
  const { vocab_size: V, n_positions: P, n_embd: d, n_layer: L } = GPT2_SMALL;
  const table = randomHalves();
  let seed = 0;
  const t = (name: string, shape: number[], fill: 'random' | 'ones' | 'zeros' = 'random') => tensor(name, shape, fill, table, seed++);
  const tensors: RawTensor[] = [t('wte.weight', [V, d]), t('wpe.weight', [P, d])];
  for (let l = 0; l < L; l++) {
    const h = `h.${l}`;
    tensors.push(
      t(`${h}.ln_1.weight`, [d], 'ones'), t(`${h}.ln_1.bias`, [d], 'zeros'),
      t(`${h}.attn.c_attn.weight`, [d, 3 * d]), t(`${h}.attn.c_attn.bias`, [3 * d], 'zeros'),
      t(`${h}.attn.c_proj.weight`, [d, d]), t(`${h}.attn.c_proj.bias`, [d], 'zeros'),
      t(`${h}.ln_2.weight`, [d], 'ones'), t(`${h}.ln_2.bias`, [d], 'zeros'),
      t(`${h}.mlp.c_fc.weight`, [d, 4 * d]), t(`${h}.mlp.c_fc.bias`, [4 * d], 'zeros'),
      t(`${h}.mlp.c_proj.weight`, [4 * d, d]), t(`${h}.mlp.c_proj.bias`, [d], 'zeros'),
    );
  }
  tensors.push(t('ln_f.weight', [d], 'ones'), t('ln_f.bias', [d], 'zeros'));
  const weights = encodeSafetensors(tensors);
  const configJson = JSON.stringify({
    model_type: 'gpt2', architectures: ['GPT2LMHeadModel'], ...GPT2_SMALL, n_ctx: P, n_inner: null,
    activation_function: 'gelu_new', layer_norm_epsilon: 1e-5, tie_word_embeddings: true, torch_dtype: 'float16',
  });
  return { configJson, weights };
}
