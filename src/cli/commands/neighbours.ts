// llm-lens neighbours: the tokens whose input embeddings point the same way as one token's.
import { tokenize, tokenText } from '../../engine/tokenizer';
import type { Neighbour } from '../../engine/types';
import { integerOption, type ParsedArgs } from '../args';
import { CliError, UsageError } from '../errors';
import { checkTokenizable } from '../input';
import { roundFloat32 } from '../json-output';
import { MODEL_OPTION, openEngine } from '../model';

export const NEIGHBOURS_OPTIONS = [
  { name: 'token', kind: 'string' },
  { name: 'id', kind: 'string' },
  { name: 'k', kind: 'string' },
  MODEL_OPTION,
] as const;

export const DEFAULT_NEIGHBOURS = 10;
const MAX_NEIGHBOURS = 1000;

export interface NeighboursResult {
  token: { id: number; text: string };
  /** [id, text, cosine], the token itself first. */
  neighbours: Neighbour[];
}

export async function runNeighbours(args: ParsedArgs): Promise<NeighboursResult> {
  const k = integerOption(args, 'k', DEFAULT_NEIGHBOURS, 1, MAX_NEIGHBOURS, 'neighbours');
  const id = tokenIdFrom(args.values.get('token'), args.values.get('id'));

  const engine = await openEngine(args.values.get('model'));
  try {
    if (id >= engine.config.vocabSize) {
      throw new CliError(`token id ${id} is outside the model's vocabulary (0..${engine.config.vocabSize - 1})`);
    }
    const neighbours = await engine.neighboursOfToken(id, k);
    return {
      token: { id, text: tokenText(id) },
      neighbours: neighbours.map(([other, text, cosine]) => [other, text, roundFloat32(cosine)]),
    };
  } finally {
    await engine.dispose();
  }
}

/** The one r50k token that --token spells, or the id --id names. */
function tokenIdFrom(token: string | undefined, idText: string | undefined): number {
  if ((token === undefined) === (idText === undefined)) {
    throw new UsageError('give exactly one of --token TEXT or --id N', 'neighbours');
  }
  if (idText !== undefined) {
    const id = /^\d+$/.test(idText) ? Number(idText) : NaN;
    if (!Number.isSafeInteger(id)) throw new UsageError(`--id must be a token id (a non-negative integer), got ${JSON.stringify(idText)}`, 'neighbours');
    return id;
  }
  checkTokenizable(token!, '--token');
  const spans = tokenize(token!);
  if (spans.length !== 1) {
    const ids = spans.map((s) => s.id).join(', ');
    const how = spans.length === 0 ? 'no tokens' : `${spans.length} tokens in r50k_base (${ids})`;
    throw new CliError(`--token ${JSON.stringify(token)} is ${how}, not one; pick one of them with --id, or try a shorter text (a leading space is part of most word tokens: " word")`);
  }
  return spans[0]!.id;
}
