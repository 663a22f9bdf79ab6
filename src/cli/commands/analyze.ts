// llm-lens analyze: run the model over the text and report, at every position, what it
// expected next and how it scored what actually came.
import type { BackendInfo, PositionPrediction, TokenSpan, Truncation } from '../../engine/types';
import { integerOption, type ParsedArgs } from '../args';
import { CliError } from '../errors';
import { readInputText, TEXT_INPUT_OPTIONS, type TextSource } from '../input';
import { reshape, roundFloat32 } from '../json-output';
import { MODEL_OPTION, openEngine, openModelText } from '../model';

export const ANALYZE_OPTIONS = [
  ...TEXT_INPUT_OPTIONS,
  MODEL_OPTION,
  { name: 'top-k', kind: 'string' },
  { name: 'attention', kind: 'flag' },
  { name: 'hidden', kind: 'flag' },
] as const;

export const DEFAULT_TOP_K = 5;
const MAX_TOP_K = 1000;

export interface AnalyzeResult {
  model: string;
  backend: BackendInfo;
  /** The ids the model saw: the last n_positions tokens of the text. */
  ids: number[];
  /**
   * Every token of the text in the model's tokenizer, also those before the context window; the
   * tokens the tokenizer adds (BOS) have `special: true` and an empty span.
   */
  tokens: TokenSpan[];
  /** positions[t] predicts ids[t + 1]. */
  positions: PositionPrediction[];
  /** [layer][head][query][key] */
  attention?: unknown[];
  /** [layer 0..L][t][d]: after the embedding (0) and after each block, before ln_f. */
  hidden?: unknown[];
  truncated?: Truncation;
}

export async function runAnalyze(args: ParsedArgs, stdin?: TextSource): Promise<AnalyzeResult> {
  const topK = integerOption(args, 'top-k', DEFAULT_TOP_K, 1, MAX_TOP_K, 'analyze');
  const attention = args.flags.has('attention');
  const hidden = args.flags.has('hidden');
  const text = await readInputText(args, 'analyze', stdin);
  if (text.length === 0) throw new CliError('nothing to analyse: the text is empty');
  // The tokenizer before the weights: a folder without one fails before a large read.
  const model = await openModelText(args.values.get('model'));
  const tokens = model.tokenizer.tokenize(text);

  const engine = await openEngine(model, tokens.length, attention);
  try {
    const analysis = await engine.analyze(tokens.map((t) => t.id), { topK, attention, hidden });
    const { nLayer, nHead, nEmbd } = engine.config;
    const T = analysis.ids.length;
    const result: AnalyzeResult = {
      model: analysis.model,
      backend: analysis.backend,
      ids: analysis.ids,
      tokens,
      positions: analysis.positions.map(roundPrediction),
    };
    if (analysis.attention) result.attention = reshape(analysis.attention, [nLayer, nHead, T, T]);
    if (hidden && analysis.hidden) result.hidden = reshape(analysis.hidden, [nLayer + 1, T, nEmbd]);
    if (analysis.truncated) result.truncated = analysis.truncated;
    return result;
  } finally {
    await engine.dispose();
  }
}

function roundPrediction(p: PositionPrediction): PositionPrediction {
  return {
    top: p.top.map(([id, logprob]) => [id, roundFloat32(logprob)]),
    target: p.target && { id: p.target.id, logprob: roundFloat32(p.target.logprob), rank: p.target.rank },
    entropy: roundFloat32(p.entropy),
  };
}
