// The walk-through's numbers for one picked token: pure data gathered from the inspector, the
// engine's residual stream and its neighbours, so the view only draws and tests can compare.
import { PipelineInspector, norm, softmaxAll, type AttentionHeadStep, type GateStep, type ResidualStream } from './inspect';
import { choose, seededRandom } from './sampling';
import type { Neighbour, RopeScaling } from './types';

export const MIN_TEMPERATURE = 0.1;
export const MAX_TEMPERATURE = 2;
const TOP_SHOWN = 10;

export interface PipelineRequest {
  ids: number[];
  /** Index of the picked token in ids. */
  position: number;
  layer: number;
  head: number;
  temperature: number;
  seed: number;
}

export interface PipelineToken {
  id: number;
  text: string;
}

/** The parts of the model's block the walk-through explains, as its config says. */
export interface PipelineArchitecture {
  /** Learned position rows added to the embedding (GPT-2), or rotary positions inside attention. */
  positions: 'learned' | 'rope';
  norm: 'layer' | 'rms';
  /** Query heads and the key/value heads they share. */
  heads: number;
  kvHeads: number;
  /** Biases on the q, k and v projections. */
  qkvBias: boolean;
  /** Per-head RMSNorm of q and k before the rotation (q_norm, k_norm). */
  qkNorm: boolean;
  ropeScaling: RopeScaling | null;
  /** The beginning-of-text token, where the model has one. */
  bosTokenId: number | null;
  /** The unembedding is the input embedding itself (tied) or a separate lm_head. */
  unembedding: 'tied' | 'separate';
}

/** Rotary families: one pair of the picked query's components, before and after the rotation. */
export interface RotationShown {
  /** Components `pair` and `pair + half` of the query turn together. */
  pair: number;
  half: number;
  position: number;
  inverseFrequency: number;
  /** position × inverseFrequency, in radians. */
  angle: number;
  before: [number, number];
  after: [number, number];
  /** The slowest pair (the last): how far it turns at this position. */
  slowest: { pair: number; inverseFrequency: number; angle: number };
}

export interface PipelineModel {
  request: PipelineRequest;
  tokens: PipelineToken[];
  token: PipelineToken & { bytes: string; partial: boolean };
  vocabSize: number;
  architecture: PipelineArchitecture;
  /** `position` is null where no position row is added (rotary families): `sum` is then the token row. */
  embedding: { token: number[]; position: number[] | null; sum: number[]; tokenNorm: number; sumNorm: number };
  /** [id, text, cosine, angle in degrees] */
  neighbours: [number, string, number, number][];
  /**
   * `scale`: what q·k is divided by (√headSize, times layer + 1 where the config asks). Scores of
   * keys a sliding window hides (before `firstVisible`) are -Infinity, their weights 0.
   */
  attention: {
    query: number[];
    key: number[];
    value: number[];
    scores: number[];
    weights: number[];
    output: number[];
    headSize: number;
    scale: number;
    kvHead: number;
    window: number | null;
    firstVisible: number;
    rotation: RotationShown | null;
  };
  /**
   * `positiveUnits` of the MLP's `inner` units (the vector its down projection reads) are
   * positive; `gate`: what a SiLU gate did (gated MLPs only).
   */
  block: { attentionNorm: number; mlpNorm: number; positiveUnits: number; inner: number; gate: GateStep | null };
  /** The residual stream's length after the embedding (0) and after each layer (1..L). */
  norms: number[];
  distribution: { id: number; text: string; logit: number; probability: number }[];
  sample: PipelineToken;
}

export interface PipelineSources {
  inspector: PipelineInspector;
  stream: ResidualStream;
  neighbours: (id: number) => Promise<Neighbour[]>;
  tokenText: (id: number) => string;
  tokenBytes: (id: number) => string;
}

/** Why a request cannot be walked through, in the panel's words; null when it can. */
export type PipelineProblem = { kind: 'outsideContext'; first: number; last: number } | { kind: 'temperature' } | null;

export function checkRequest(request: PipelineRequest, contextTokens: number): PipelineProblem {
  if (!Number.isInteger(request.position) || request.position < 0 || request.position >= Math.min(contextTokens, request.ids.length)) {
    return { kind: 'outsideContext', first: 0, last: Math.min(contextTokens, request.ids.length) - 1 };
  }
  const t = request.temperature;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < MIN_TEMPERATURE || t > MAX_TEMPERATURE) return { kind: 'temperature' };
  return null;
}

export async function buildPipeline(request: PipelineRequest, sources: PipelineSources): Promise<PipelineModel> {
  const { inspector, stream } = sources;
  const { position, layer, head, temperature } = request;
  const id = request.ids[position];
  const embedding = inspector.embedding(id, position);
  const attention = inspector.attentionHead(stream, layer, head, position);
  const block = inspector.block(stream, layer, position);
  const logits = inspector.logits(inspector.residual(stream, inspector.config.nLayer, position));
  const all = softmaxAll(logits, temperature);
  const top = all.slice(0, TOP_SHOWN);
  // The sample is drawn from the exact distribution over the whole vocabulary (generation's
  // sampler with nothing cut): at a high temperature most of the mass lies beyond the shown few.
  const pick = choose(all.map((e) => ({ id: e.id, probability: e.probability, kept: e.probability })), seededRandom(request.seed));
  const neighbours = (await sources.neighbours(id)).slice(1).map(([nid, text, cos]): [number, string, number, number] => [
    nid,
    text,
    cos,
    (Math.acos(Math.max(-1, Math.min(1, cos))) * 180) / Math.PI,
  ]);
  const text = sources.tokenText(id);
  return {
    request,
    tokens: request.ids.map((t) => ({ id: t, text: sources.tokenText(t) })),
    token: { id, text, bytes: sources.tokenBytes(id), partial: text.includes('\ufffd') },
    vocabSize: inspector.config.vocabSize,
    architecture: architectureOf(inspector),
    embedding: {
      token: Array.from(embedding.token),
      position: embedding.position && Array.from(embedding.position),
      sum: Array.from(embedding.sum),
      tokenNorm: norm(embedding.token),
      sumNorm: norm(embedding.sum),
    },
    neighbours,
    attention: {
      query: Array.from(attention.query),
      key: Array.from(attention.key),
      value: Array.from(attention.value),
      scores: attention.scores,
      weights: attention.weights,
      output: Array.from(attention.output),
      headSize: inspector.headSize,
      scale: attention.scale,
      kvHead: attention.kvHead,
      window: attention.window,
      firstVisible: attention.firstVisible,
      rotation: rotationShown(attention, position),
    },
    block: {
      attentionNorm: norm(block.attention),
      mlpNorm: norm(block.mlp),
      positiveUnits: block.mlpPositiveUnits,
      inner: inspector.config.nInner,
      gate: block.gate ?? null,
    },
    norms: inspector.residualNorms(stream, position),
    distribution: top.map((e) => ({ ...e, text: sources.tokenText(e.id) })),
    sample: { id: pick, text: sources.tokenText(pick) },
  };
}


function architectureOf(inspector: PipelineInspector): PipelineArchitecture {
  const { nHead, architecture: a } = inspector.config;
  return {
    positions: a.positions.kind,
    norm: a.norm,
    heads: nHead,
    kvHeads: a.kvHeads,
    qkvBias: a.attention.qkvBias,
    qkNorm: a.attention.qkNorm,
    ropeScaling: a.positions.kind === 'rope' ? a.positions.scaling : null,
    bosTokenId: a.bosTokenId,
    unembedding: inspector.tiedUnembedding ? 'tied' : 'separate',
  };
}

/**
 * The rotation of the query's fastest pair (0: components 0 and half, turned by position × 1
 * rad, or less under linear scaling) and how far the slowest pair turns, which is where a rope
 * scaling shows.
 */
function rotationShown(step: AttentionHeadStep, position: number): RotationShown | null {
  const rotation = step.rotation;
  if (!rotation) return null;
  const half = step.query.length / 2;
  const pair = 0;
  const last = half - 1;
  return {
    pair,
    half,
    position,
    inverseFrequency: rotation.inverseFrequencies[pair],
    angle: rotation.angles[pair],
    before: [rotation.unrotatedQuery[pair], rotation.unrotatedQuery[pair + half]],
    after: [step.query[pair], step.query[pair + half]],
    slowest: { pair: last, inverseFrequency: rotation.inverseFrequencies[last], angle: rotation.angles[last] },
  };
}
