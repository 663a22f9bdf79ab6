// The model families LLM Lens runs, chosen by config.json's model_type.
import type { ModelConfig, ModelFamily } from '../types';
import { parseJsonObject } from '../json-file';
import { quoteValue } from '../json-syntax';
import { ConfigReader, type Family } from './family';
import { gpt2 } from './gpt2';
import { llamaFamilies } from './llama';

const FAMILIES: Family[] = [gpt2, ...llamaFamilies];

/** Every model_type that loads, in the order error messages list them. */
export const SUPPORTED_MODEL_TYPES: readonly ModelFamily[] = FAMILIES.flatMap((f) => f.modelTypes);

export function familyOf(modelType: ModelFamily): Family {
  const family = FAMILIES.find((f) => f.modelTypes.includes(modelType));
  if (!family) throw new Error(`internal: no family for model_type ${modelType}`);
  return family;
}

/**
 * config.json -> ModelConfig, for any supported model_type. Anything else (mixture of experts,
 * Gemma, Phi, ...) is an error that names the file and lists what is supported.
 */
export function parseModelConfig(configJson: string, configFileName: string, name: string): ModelConfig {
  const config = new ConfigReader(parseJsonObject(configJson, configFileName), configFileName);
  const modelType = config.raw.model_type;
  const family = FAMILIES.find((f) => (f.modelTypes as readonly unknown[]).includes(modelType));
  if (!family) config.fail(`model_type ${quoteValue(modelType)} is not supported (supported: ${SUPPORTED_MODEL_TYPES.join(', ')})`);
  return family!.parseConfig(config, name);
}
