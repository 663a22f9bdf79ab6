// The short list of hub models Choose Model offers for download: small checkpoints of the
// families the engine runs. Each carries the shape fields of its config.json (so the memory
// estimate is computed, not written down) and its download size as the hub lists it (the
// safetensors file and the tokenizer files: what LLM Lens fetches). Pure.
import { parseModelConfig } from '../engine/families';
import type { ModelConfig } from '../engine/types';

export interface CuratedModel {
  id: string;
  /** Bytes LLM Lens downloads (approximate: the hub's sizes when this list was written). */
  downloadBytes: number;
  /** The hub asks for a token, and for the model's terms to be accepted on its page. */
  gated: boolean;
  /** The fields of its config.json that give its shape. */
  config: Record<string, unknown>;
}

const GPT2 = { model_type: 'gpt2', vocab_size: 50257, n_positions: 1024, n_embd: 768, n_layer: 12, n_head: 12, bos_token_id: 50256, eos_token_id: 50256, activation_function: 'gelu_new', torch_dtype: 'float32' };
const SMOLLM2 = { model_type: 'llama', vocab_size: 49152, max_position_embeddings: 8192, rope_theta: 100000, tie_word_embeddings: true, bos_token_id: 0, eos_token_id: 0, torch_dtype: 'bfloat16' };
const QWEN25 = { model_type: 'qwen2', vocab_size: 151936, hidden_size: 896, num_hidden_layers: 24, num_attention_heads: 14, num_key_value_heads: 2, intermediate_size: 4864, max_position_embeddings: 32768, rope_theta: 1000000, tie_word_embeddings: true, bos_token_id: 151643, eos_token_id: 151643, torch_dtype: 'bfloat16' };

export const CURATED_MODELS: readonly CuratedModel[] = [
  { id: 'openai-community/gpt2', downloadBytes: 550_000_000, gated: false, config: GPT2 },
  { id: 'distilbert/distilgpt2', downloadBytes: 354_000_000, gated: false, config: { ...GPT2, n_layer: 6 } },
  { id: 'openai-community/gpt2-medium', downloadBytes: 1_521_000_000, gated: false, config: { ...GPT2, n_embd: 1024, n_layer: 24, n_head: 16 } },
  { id: 'HuggingFaceTB/SmolLM2-135M', downloadBytes: 271_000_000, gated: false, config: { ...SMOLLM2, hidden_size: 576, num_hidden_layers: 30, num_attention_heads: 9, num_key_value_heads: 3, intermediate_size: 1536 } },
  { id: 'HuggingFaceTB/SmolLM2-360M', downloadBytes: 726_000_000, gated: false, config: { ...SMOLLM2, hidden_size: 960, num_hidden_layers: 32, num_attention_heads: 15, num_key_value_heads: 5, intermediate_size: 2560 } },
  { id: 'Qwen/Qwen2.5-0.5B', downloadBytes: 995_000_000, gated: false, config: QWEN25 },
  { id: 'Qwen/Qwen2.5-0.5B-Instruct', downloadBytes: 995_000_000, gated: false, config: { ...QWEN25, eos_token_id: 151645 } },
  {
    id: 'Qwen/Qwen3-0.6B',
    downloadBytes: 1_515_000_000,
    gated: false,
    config: { model_type: 'qwen3', vocab_size: 151936, hidden_size: 1024, num_hidden_layers: 28, num_attention_heads: 16, num_key_value_heads: 8, head_dim: 128, intermediate_size: 3072, max_position_embeddings: 40960, rope_theta: 1000000, tie_word_embeddings: true, bos_token_id: 151643, eos_token_id: 151645, torch_dtype: 'bfloat16' },
  },
  {
    id: 'meta-llama/Llama-3.2-1B',
    downloadBytes: 2_481_000_000,
    gated: true,
    config: {
      model_type: 'llama', vocab_size: 128256, hidden_size: 2048, num_hidden_layers: 16, num_attention_heads: 32, num_key_value_heads: 8, head_dim: 64, intermediate_size: 8192,
      max_position_embeddings: 131072, rope_theta: 500000, rope_scaling: { rope_type: 'llama3', factor: 32, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
      tie_word_embeddings: true, bos_token_id: 128000, eos_token_id: 128001, torch_dtype: 'bfloat16',
    },
  },
];

/** The curated model's shape, as the engine reads it. */
export function curatedConfig(model: CuratedModel): ModelConfig {
  return parseModelConfig(JSON.stringify(model.config), `${model.id}/config.json`, model.id);
}
