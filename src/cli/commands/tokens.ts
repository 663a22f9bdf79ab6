// llm-lens tokens: how a tokenizer splits the text, with offsets and bytes.
import { isEncodingName, loadEncoding, tokenize, ENCODING_NAMES } from '../../engine/tokenizer';
import type { EncodingName, TokenSpan } from '../../engine/types';
import type { ParsedArgs } from '../args';
import { UsageError } from '../errors';
import { readInputText, TEXT_INPUT_OPTIONS, type TextSource } from '../input';

export const TOKENS_OPTIONS = [...TEXT_INPUT_OPTIONS, { name: 'encoding', kind: 'string' }] as const;

export interface TokensResult {
  encoding: EncodingName;
  tokens: TokenSpan[];
}

export async function runTokens(args: ParsedArgs, stdin?: TextSource): Promise<TokensResult> {
  const encoding = args.values.get('encoding') ?? 'r50k_base';
  if (!isEncodingName(encoding)) {
    throw new UsageError(`unknown encoding ${JSON.stringify(encoding)}: use one of ${ENCODING_NAMES.join(', ')}`, 'tokens');
  }
  const text = await readInputText(args, 'tokens', stdin);
  await loadEncoding(encoding);
  return { encoding, tokens: tokenize(text, encoding) };
}
