// Whether a model fits the runtime, decided from the weights' headers before any weight is read
// or any session is made. onnxruntime-web is a 32-bit WebAssembly module: one heap of at most
// 4 GiB holds every float32 weight, and while the vocabulary session is made its [V, d] table is
// there twice (the table and its prepacked copy), besides the activations of a run.

import { INT8_BLOCK } from './int8-weights';
import type { WeightPrecision, WeightPreference } from './types';

/** onnxruntime-web's heap: wasm32 addresses at most 4 GiB. */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;
/** Kept free for activations and the runtime itself (a T = 1,024 block of a 0.5 B model needs ~200 MB). */
export const RUNTIME_RESERVE_BYTES = 512 * 1024 ** 2;

export interface WeightFootprint {
  parameters: number;
  /** Every weight's bytes at the precision asked. */
  weightBytes: number;
  /** The largest [V, d] table's float32 bytes: held once more than the weights count (see weightFootprint). */
  tableBytes: number;
  /** weightBytes + tableBytes + the reserve. */
  neededBytes: number;
  budgetBytes: number;
  fits: boolean;
}

/**
 * The weights at `bytesPerParameter` (4 for float32, INT8_BYTES_PER_PARAMETER for 8 bits) and the
 * [V, d] table once more in float32: float32's prepacked copy while its session is made, or the
 * table MatMulNBits holds dequantized while the head's product runs.
 */
export function weightFootprint(parameters: number, vocabSize: number, width: number, budgetBytes = WASM_HEAP_BYTES, bytesPerParameter = 4): WeightFootprint {
  const weightBytes = Math.ceil(parameters * bytesPerParameter);
  const tableBytes = vocabSize * width * 4;
  const neededBytes = weightBytes + tableBytes + RUNTIME_RESERVE_BYTES;
  return { parameters, weightBytes, tableBytes, neededBytes, budgetBytes, fits: neededBytes <= budgetBytes };
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;

const ADVICE = 'Pick a model with fewer parameters.';

/** Bytes per parameter in 8 bits: one byte, and a float32 scale per INT8_BLOCK of them. */
export const INT8_BYTES_PER_PARAMETER = 1 + 4 / INT8_BLOCK;

export type WeightChoice = { precision: WeightPrecision; footprint: WeightFootprint; float32: WeightFootprint } | { refused: string };

/**
 * float32 where it fits (or where asked), else 8-bit where that fits; else a refusal with the
 * numbers of both.
 */
export function chooseWeights(model: string, parameters: number, vocabSize: number, width: number, preference: WeightPreference, budgetBytes = WASM_HEAP_BYTES): WeightChoice {
  const float32 = weightFootprint(parameters, vocabSize, width, budgetBytes);
  const int8 = weightFootprint(parameters, vocabSize, width, budgetBytes, INT8_BYTES_PER_PARAMETER);
  if (preference === 'int8' || (preference === 'auto' && !float32.fits)) {
    if (int8.fits) return { precision: 'int8', footprint: int8, float32 };
    return { refused: `${misfitMessage(model, float32)} In 8 bits it would still need ${gb(int8.neededBytes)} (${gb(int8.weightBytes)} of weights). ${ADVICE}` };
  }
  if (float32.fits) return { precision: 'float32', footprint: float32, float32 };
  return { refused: `${misfitMessage(model, float32)} ${int8.fits ? 'Its 8-bit weights would fit: set llmLens.weights to "auto" or "int8".' : ADVICE}` };
}

/** The refusal, with the numbers: "… needs 4.94 GB of float32 weights (1,235,814,400 parameters × 4 bytes) …". */
export function misfitMessage(model: string, f: WeightFootprint): string {
  return (
    `${model} does not fit: it needs ${gb(f.weightBytes)} of float32 weights (${f.parameters.toLocaleString('en-US')} parameters × 4 bytes), ` +
    `${gb(f.tableBytes)} more while its vocabulary table is prepared and ${gb(RUNTIME_RESERVE_BYTES)} for a run: ${gb(f.neededBytes)} in all, ` +
    `over the ${gb(f.budgetBytes)} heap of the WebAssembly runtime.`
  );
}
