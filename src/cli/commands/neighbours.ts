// llm-lens neighbours: the tokens whose input embeddings point the same way as one token's.
import { tokenEntry } from '../../engine/model-tokenizer';
import type { Neighbour } from '../../engine/types';
import { integerOption, type ParsedArgs } from '../args';
import { CliError, UsageError } from '../errors';
import { checkTokenizable } from '../input';
import { roundFloat32 } from '../json-output';
import { MODEL_OPTION, openEngine, openModelText, tokenizerLabel, type ModelText } from '../model';

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
  const token = args.values.get('token');
  const idText = args.values.get('id');
  if ((token === undefined) === (idText === undefined)) {
    throw new UsageError('give exactly one of --token TEXT or --id N', 'neighbours');
  }
  const givenId = idText === undefined ? undefined : idFrom(idText);
  if (token !== undefined) checkTokenizable(token, '--token');
  const model = await openModelText(args.values.get('model'));
  const id = givenId ?? tokenIdOf(token!, model);
  const { vocabSize } = model.config;
  if (id >= vocabSize) throw new CliError(`token id ${id} is outside the model's vocabulary (0..${vocabSize - 1})`);

  const engine = await openEngine(model, 1);
  try {
    const neighbours = await engine.neighboursOfToken(id, k);
    return {
      token: { id, text: tokenEntry(model.tokenizer, id).text },
      neighbours: neighbours.map(([other, text, cosine]) => [other, text, roundFloat32(cosine)]),
    };
  } finally {
    await engine.dispose();
  }
}

function idFrom(idText: string): number {
  const id = /^\d+$/.test(idText) ? Number(idText) : NaN;
  if (!Number.isSafeInteger(id)) throw new UsageError(`--id must be a token id (a non-negative integer), got ${JSON.stringify(idText)}`, 'neighbours');
  return id;
}

/** The one token of the model's tokenizer that --token spells; the tokens it adds (BOS) do not count. */
function tokenIdOf(token: string, model: ModelText): number {
  const spans = model.tokenizer.tokenize(token).filter((s) => !s.special);
  if (spans.length !== 1) {
    const ids = spans.map((s) => s.id).join(', ');
    const how = spans.length === 0 ? 'no tokens' : `${spans.length} tokens in ${tokenizerLabel(model)} (${ids})`;
    throw new CliError(`--token ${JSON.stringify(token)} is ${how}, not one; pick one of them with --id, or try a shorter text (a leading space is part of most word tokens: " word")`);
  }
  return spans[0]!.id;
}
