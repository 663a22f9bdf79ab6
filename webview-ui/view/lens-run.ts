// What the Attention, Embeddings and Logit lens tabs share: the tokens the model read in the
// latest run, its attention and residual stream, and the engine for follow-up questions.
import type { PanelEngine } from '../engine-client';
import type { ModelConfig, TokenSpan } from '../../src/engine/types';
import { AttentionData } from './attention-data';
import { english, type Translate } from '../i18n';

export interface LensRun {
  runId: number;
  /** The tokens the model read (the last ones when the text was longer than its context). */
  tokens: TokenSpan[];
  ids: number[];
  /** Tokens of the whole explained text before tokens[0] (the model did not read them). */
  keptFrom: number;
  /** Tokens in the whole explained text. */
  totalTokens: number;
  config: ModelConfig;
  attention: AttentionData;
  /** Residual stream, flat [layers + 1, T, d]. */
  hidden: Float32Array;
  /** The engine that read the run, for follow-up questions and the texts of the ids it answers with. */
  engine: Pick<PanelEngine, 'logitLens' | 'neighboursOfToken' | 'neighboursOfVector' | 'tokenEmbeddings' | 'texts'>;
}

/** Row `t` of the residual stream after `layer` blocks (0 = the input embedding). */
export function hiddenRow(run: LensRun, layer: number, t: number): Float32Array {
  const d = run.config.nEmbd;
  const T = run.tokens.length;
  const base = (layer * T + t) * d;
  return run.hidden.subarray(base, base + d);
}

/** A sentence saying which part of a long text a view shows, or undefined when it shows all of it. */
export function coverageNote(run: LensRun, shownFrom: number, t: Translate = english): string | undefined {
  const dropped = run.keptFrom + shownFrom;
  if (dropped === 0) return undefined;
  const shown = run.tokens.length - shownFrom;
  return t('lens.coverage', { shown, total: run.totalTokens, first: dropped + 1 });
}
