// One generation run: continues a prompt token by token, remembering every step's candidates
// and choice so the user can step, run, stop, or pick a different token at a step and continue
// from there. Pure apart from the injected engine, so Node tests drive it with the real model.
import type { Distribution } from '../../src/engine/types';
import { CANDIDATE_CAP, candidates, draw, seededRandom, type Candidate, type SamplingSettings } from '../../src/engine/sampling';
import { panelContext } from '../context-window';

/** The part of LensEngine a generation needs. */
export interface NextTokenSource {
  readonly config: { nPositions: number; eosTokenId: number; vocabSize: number; architecture: { eosTokenIds: readonly number[] } };
  distributionAt(ids: number[], position: number, options: { temperature: number; topK?: number }): Promise<Distribution>;
}

export interface GenerationStep {
  /** Candidates at this step (probabilities at the step's temperature; greedy reads them at 1). */
  candidates: Candidate[];
  chosen: number;
  /** The sampler's random number that chose it (null: one candidate was kept, or the user picked it). */
  u: number | null;
  /** True when the user picked this token instead of the sampler. */
  picked: boolean;
  /** Tokens dropped from the start of the context for this step (the window slid). */
  slid: number;
}

export type StopReason = 'eos' | 'limit' | null;

/** True for any end-of-text token the model's config.json names (Qwen and Llama 3 list several). */
export function isEndOfText(config: NextTokenSource['config'], id: number): boolean {
  return id === config.eosTokenId || config.architecture.eosTokenIds.includes(id);
}

export class GenerationSession {
  readonly steps: GenerationStep[] = [];
  private random: () => number;

  constructor(
    readonly source: NextTokenSource,
    readonly prompt: number[],
    readonly settings: SamplingSettings,
    /** Most tokens to generate. */
    readonly maxTokens: number,
  ) {
    if (prompt.length === 0) throw new Error('nothing to continue: the text has no tokens');
    if (!Number.isInteger(maxTokens) || maxTokens < 1) throw new Error(`the length limit must be a whole number above 0, got ${maxTokens}`);
    this.random = seededRandom(settings.seed);
  }

  get generated(): number[] {
    return this.steps.map((s) => s.chosen);
  }

  /** Why the run cannot go on, or null when another step is possible. */
  get stopped(): StopReason {
    const last = this.steps[this.steps.length - 1];
    if (last && isEndOfText(this.source.config, last.chosen)) return 'eos';
    if (this.steps.length >= this.maxTokens) return 'limit';
    return null;
  }

  /** Computes and appends one step; returns it, or null when the run has stopped. */
  async step(): Promise<GenerationStep | null> {
    if (this.stopped) return null;
    const all = [...this.prompt, ...this.generated];
    // Past the panel's window the model cannot see everything: keep the last tokens.
    const window = all.slice(Math.max(0, all.length - panelContext(this.source.config)));
    const greedy = this.settings.temperature === 0;
    // The argmax does not depend on the temperature; greedy reads probabilities at 1.
    const distribution = await this.source.distributionAt(window, window.length - 1, {
      temperature: greedy ? 1 : this.settings.temperature,
      topK: CANDIDATE_CAP,
    });
    const list = candidates(distribution.top, this.settings);
    const { id, u } = draw(list, this.random);
    const step: GenerationStep = { candidates: list, chosen: id, u, picked: false, slid: all.length - window.length };
    this.steps.push(step);
    return step;
  }

  /**
   * Replaces the choice at `index` with `id` and forgets every later step; the PRNG restarts
   * from the seed advanced past the kept steps, so the continuation is reproducible too.
   */
  pick(index: number, id: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.steps.length) {
      throw new Error(`step ${index} does not exist (0..${this.steps.length - 1})`);
    }
    if (!Number.isInteger(id) || id < 0 || id >= this.source.config.vocabSize) throw new Error(`token id ${id} is outside the vocabulary`);
    this.steps.length = index + 1;
    this.steps[index] = { ...this.steps[index], chosen: id, u: null, picked: true };
    this.random = seededRandom((this.settings.seed + index + 1) >>> 0);
  }
}
