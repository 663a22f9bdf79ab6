// The tokens a Hugging Face tokenizer adds around the text (BOS first, sometimes EOS last), as
// transformers adds them:
//  - tokenizer_config.json's `add_bos_token` / `add_eos_token`, where they are booleans, decide
//    (transformers' Llama and Gemma tokenizers rebuild the post-processor from them): Llama 2,
//    Mistral v0.1, TinyLlama ("<s>"), Gemma ("<bos>") and DeepSeek-V3 ("<｜begin▁of▁sentence｜>")
//    set add_bos_token; Qwen 2/2.5/3 set it false and have no BOS at all.
//  - otherwise tokenizer.json's post-processor: the special tokens around "$A" in a
//    TemplateProcessing (Llama 3 and 3.x put "<|begin_of_text|>" there, inside a Sequence with
//    ByteLevel); BertProcessing/RobertaProcessing put their cls first and sep last. A ByteLevel
//    post-processor alone (GPT-2, SmolLM, Qwen) adds nothing.

export interface SequenceAdditions {
  prefix: number[];
  suffix: number[];
  bosId?: number;
  eosId?: number;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A token named in tokenizer_config.json: a string, or an AddedToken object with `content`. */
function tokenName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value.content === 'string') return value.content;
  return undefined;
}

export function sequenceAdditions(tokenizerJson: Json, config: Json, idOf: (token: string) => number | undefined): SequenceAdditions {
  const lookUp = (field: string): number | undefined => {
    const name = tokenName(config[field]);
    return name === undefined ? undefined : idOf(name);
  };
  // The flag adds the named token; with no token named there is nothing to add (transformers'
  // classes that read the flag refuse that, the others ignore the flag).
  const named = (field: 'bos_token' | 'eos_token', flag: string): number[] => {
    if (tokenName(config[field]) === undefined) return [];
    const id = lookUp(field);
    if (id === undefined) {
      throw new Error(`tokenizer_config.json sets ${flag} but its ${field} ${JSON.stringify(config[field])} is not a token of tokenizer.json`);
    }
    return [id];
  };
  const template = templateAdditions(tokenizerJson.post_processor);
  const prefix = typeof config.add_bos_token === 'boolean'
    ? (config.add_bos_token ? named('bos_token', 'add_bos_token') : [])
    : template.prefix;
  const suffix = typeof config.add_eos_token === 'boolean'
    ? (config.add_eos_token ? named('eos_token', 'add_eos_token') : [])
    : template.suffix;
  return { prefix, suffix, bosId: lookUp('bos_token') ?? prefix[0], eosId: lookUp('eos_token') ?? suffix[suffix.length - 1] };
}

function templateAdditions(processor: unknown): { prefix: number[]; suffix: number[] } {
  const none = { prefix: [], suffix: [] };
  if (!isObject(processor)) return none;
  switch (processor.type) {
    case 'Sequence': {
      const steps = Array.isArray(processor.processors) ? processor.processors : [];
      for (const step of steps) {
        const found = templateAdditions(step);
        if (found.prefix.length > 0 || found.suffix.length > 0) return found;
      }
      return none;
    }
    case 'TemplateProcessing':
      return fromTemplate(processor);
    case 'BertProcessing':
    case 'RobertaProcessing': {
      const idIn = (pair: unknown) => (Array.isArray(pair) && typeof pair[1] === 'number' ? [pair[1]] : []);
      return { prefix: idIn(processor.cls), suffix: idIn(processor.sep) };
    }
    default:
      return none;
  }
}

function fromTemplate(processor: Json): { prefix: number[]; suffix: number[] } {
  const single = Array.isArray(processor.single) ? processor.single : [];
  const specials = isObject(processor.special_tokens) ? processor.special_tokens : {};
  const prefix: number[] = [];
  const suffix: number[] = [];
  let seenSequence = false;
  for (const piece of single) {
    if (!isObject(piece)) continue;
    if (isObject(piece.Sequence)) { seenSequence = true; continue; }
    const special = isObject(piece.SpecialToken) ? piece.SpecialToken : undefined;
    if (!special || typeof special.id !== 'string') continue;
    const entry = specials[special.id];
    const ids = isObject(entry) && Array.isArray(entry.ids) ? entry.ids.filter((id): id is number => typeof id === 'number') : [];
    (seenSequence ? suffix : prefix).push(...ids);
  }
  return { prefix, suffix };
}
