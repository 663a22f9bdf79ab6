// Rotary position embeddings: the angle of every (position, frequency) pair, computed here in
// float64 and fed to the trunk as cos/sin tables, so that positions can start anywhere (a later
// key/value cache feeds positions start..start+T) and no table is baked into the graph.
import type { PositionEncoding, RopeScaling } from './types';

type Rotary = Extract<PositionEncoding, { kind: 'rope' }>;

/**
 * The headDim / 2 inverse frequencies theta^(-2i / headDim), rescaled as `scaling` says
 * (Hugging Face's _compute_default / _compute_linear / _compute_llama3_parameters).
 */
export function inverseFrequencies(rope: Rotary, headDim: number): Float64Array {
  const half = headDim / 2;
  const base = Float64Array.from({ length: half }, (_, i) => rope.theta ** (-(2 * i) / headDim));
  return rope.scaling ? base.map((f) => rescale(f, rope.scaling!)) : base;
}

function rescale(frequency: number, scaling: RopeScaling): number {
  if (scaling.type === 'linear') return frequency / scaling.factor;
  // Llama 3.1: wavelengths shorter than original/highFreqFactor keep their frequency, longer than
  // original/lowFreqFactor are slowed by `factor`, and the band between is a linear blend.
  const { factor, lowFreqFactor, highFreqFactor, originalContext } = scaling;
  const wavelength = (2 * Math.PI) / frequency;
  if (wavelength < originalContext / highFreqFactor) return frequency;
  if (wavelength > originalContext / lowFreqFactor) return frequency / factor;
  const smooth = (originalContext / wavelength - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
  return (1 - smooth) * (frequency / factor) + smooth * frequency;
}

/** cos and sin of position * frequency, flat [count, headDim / 2], for positions start..start+count-1. */
export interface RotaryTables {
  cos: Float32Array;
  sin: Float32Array;
}

export function rotaryTables(frequencies: Float64Array, start: number, count: number): RotaryTables {
  const half = frequencies.length;
  const cos = new Float32Array(count * half);
  const sin = new Float32Array(count * half);
  for (let t = 0; t < count; t++) {
    for (let i = 0; i < half; i++) {
      const angle = (start + t) * frequencies[i];
      cos[t * half + i] = Math.cos(angle);
      sin[t * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}
