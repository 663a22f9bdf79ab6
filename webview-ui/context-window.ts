// How many tokens the panel's model reads at once.
import { LIMITS } from '../src/protocol';

/**
 * The panel's window: the model's context, capped at LIMITS.analysisTokens (attention maps grow
 * as tokens², and today's models have contexts of 32k tokens and more). Longer text is read from
 * its end, everywhere in the panel: the analysis, generation and the walk-through.
 */
export function panelContext(config: { nPositions: number }): number {
  return Math.min(config.nPositions, LIMITS.analysisTokens);
}
