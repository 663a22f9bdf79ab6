// 8-bit weights for models whose float32 weights do not fit the runtime's heap. Each weight matrix
// W [in, out] is stored as onnxruntime's MatMulNBits wants it (bits = 8): for every output column,
// its inputs in blocks of BLOCK, each block one byte per value (zero point 128) and one float32
// scale, max |w| / 127. A block, not a whole column, shares a scale so that one large weight
// (LLMs have a few) costs precision in its 32 neighbours only.
//
// Why MatMulNBits and not DequantizeLinear + MatMul: measured in this repository's Node/WASM
// runtime (onnxruntime-web 1.30, 2,048 x 8,192 weight), both run a 256-row product at the same
// speed as each other (~20 GFLOP/s against fp32's 23.5) and a one-row product in 58 ms against
// 71 ms, and MatMulNBits' session held less memory (+82 MB against +109 MB at creation).

/** Inputs per block that share one scale. */
export const INT8_BLOCK = 32;
/** A stored byte b means (b - ZERO_POINT) * scale: MatMulNBits' default zero point for 8 bits. */
const ZERO_POINT = 128;

export interface Int8Matrix {
  /** Rows of the product's input (K) and columns of its output (N). */
  inputs: number;
  outputs: number;
  /** ceil(inputs / INT8_BLOCK): blocks per output column; the last is padded with zeros. */
  blocks: number;
  /** [outputs, blocks, INT8_BLOCK] bytes. */
  packed: Uint8Array;
  /** [outputs * blocks] float32 scales. */
  scales: Float32Array;
}

/**
 * Quantizes a weight given by `at(input, output)` (so that [in, out] and [out, in] layouts both
 * quantize without a transposed copy).
 */
export function quantizeInt8(inputs: number, outputs: number, at: (input: number, output: number) => number): Int8Matrix {
  const blocks = Math.ceil(inputs / INT8_BLOCK);
  const packed = new Uint8Array(outputs * blocks * INT8_BLOCK).fill(ZERO_POINT);
  const scales = new Float32Array(outputs * blocks);
  const values = new Float32Array(INT8_BLOCK);
  for (let n = 0; n < outputs; n++) {
    for (let b = 0; b < blocks; b++) {
      const first = b * INT8_BLOCK;
      const count = Math.min(INT8_BLOCK, inputs - first);
      let largest = 0;
      for (let i = 0; i < count; i++) {
        values[i] = at(first + i, n);
        largest = Math.max(largest, Math.abs(values[i]));
      }
      // An all-zero block keeps scale 1 (any scale decodes zeros exactly) so nothing divides by 0.
      const scale = largest > 0 ? largest / 127 : 1;
      scales[n * blocks + b] = scale;
      const base = (n * blocks + b) * INT8_BLOCK;
      for (let i = 0; i < count; i++) packed[base + i] = ZERO_POINT + Math.max(-127, Math.min(127, Math.round(values[i] / scale)));
    }
  }
  return { inputs, outputs, blocks, packed, scales };
}

/** W [in, out] row-major (the engine's linear weights). */
export function quantizeInputsByOutputs(weight: Float32Array, inputs: number, outputs: number): Int8Matrix {
  return quantizeInt8(inputs, outputs, (i, o) => weight[i * outputs + o]);
}

/** A table [rows, width] used as x @ table^T (the unembedding): each row is one output. */
export function quantizeRows(table: Float32Array, rows: number, width: number): Int8Matrix {
  return quantizeInt8(width, rows, (i, o) => table[o * width + i]);
}

/** The value the runtime computes with for (input, output): what the 8-bit weight stands for. */
export function int8Value(m: Int8Matrix, input: number, output: number): number {
  const block = Math.floor(input / INT8_BLOCK);
  const byte = m.packed[(output * m.blocks + block) * INT8_BLOCK + (input % INT8_BLOCK)];
  return (byte - ZERO_POINT) * m.scales[output * m.blocks + block];
}

/** Bytes the runtime holds for a matrix of `inputs` x `outputs` in 8 bits (values and scales). */
export function int8Bytes(inputs: number, outputs: number): number {
  const blocks = Math.ceil(inputs / INT8_BLOCK);
  return outputs * blocks * (INT8_BLOCK + 4);
}
