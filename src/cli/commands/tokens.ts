// llm-lens tokens: how a tokenizer splits the text, with offsets and bytes: one of OpenAI's
// encodings (--encoding), or a model's own tokenizer (--model), ids exactly as that model reads them.
import { isEncodingName, loadEncoding, tokenize, ENCODING_NAMES } from '../../engine/tokenizer';
import type { EncodingName, TokenSpan } from '../../engine/types';
import type { ParsedArgs } from '../args';
import { UsageError } from '../errors';
import { readInputText, TEXT_INPUT_OPTIONS, type TextSource } from '../input';
import { MODEL_OPTION, openModelText } from '../model';

export const TOKENS_OPTIONS = [...TEXT_INPUT_OPTIONS, { name: 'encoding', kind: 'string' }, MODEL_OPTION] as const;

export type TokensResult =
  | { encoding: EncodingName; tokens: TokenSpan[] }
  /** The model's tokenizer: the tokens it adds (BOS) have `special: true` and an empty span. */
  | { model: string; tokens: TokenSpan[] };

export async function runTokens(args: ParsedArgs, stdin?: TextSource): Promise<TokensResult> {
  const encoding = args.values.get('encoding');
  const modelDir = args.values.get('model');
  if (encoding !== undefined && modelDir !== undefined) {
    throw new UsageError('give either --model (the model\'s own tokenizer) or --encoding (an OpenAI encoding), not both', 'tokens');
  }
  if (encoding !== undefined && !isEncodingName(encoding)) {
    throw new UsageError(`unknown encoding ${JSON.stringify(encoding)}: use one of ${ENCODING_NAMES.join(', ')}`, 'tokens');
  }
  const text = await readInputText(args, 'tokens', stdin);
  if (modelDir !== undefined) {
    const model = await openModelText(modelDir);
    return { model: model.config.name, tokens: model.tokenizer.tokenize(text) };
  }
  const name = encoding ?? 'r50k_base';
  await loadEncoding(name);
  return { encoding: name, tokens: tokenize(text, name) };
}
