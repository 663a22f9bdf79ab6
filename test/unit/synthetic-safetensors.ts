// Writes safetensors files in tests, so that checkpoints with any dtype, layout or defect can be
// built in memory: an 8-byte little-endian header length, the JSON header, then the raw data.

import { encodeSafetensors } from './safetensors-writer';

export type Dtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I4';

export interface TensorSpec {
  dtype: Dtype;
  shape: number[];
  values: number[];
}

/** float32 -> IEEE half, for values that are normal halves (all test values are). */
function toHalfBits(value: number): number {
  const f = new Float32Array([value]);
  const bits = new Uint32Array(f.buffer)[0];
  const sign = (bits >>> 16) & 0x8000;
  if (value === 0) return sign;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  return sign | (exponent << 10) | ((bits >>> 13) & 0x3ff);
}

function encodeValues(dtype: Dtype, values: number[]): Uint8Array {
  switch (dtype) {
    case 'F32':
      return new Uint8Array(Float32Array.from(values).buffer);
    case 'F64':
      return new Uint8Array(Float64Array.from(values).buffer);
    case 'F16':
      return new Uint8Array(Uint16Array.from(values, toHalfBits).buffer);
    case 'BF16':
      return new Uint8Array(Uint16Array.from(new Uint32Array(Float32Array.from(values).buffer), (b) => b >>> 16).buffer);
    case 'I4':
      return new Uint8Array(Math.ceil(values.length / 2));
  }
}

/** A safetensors file; `pad` inserts bytes before the data so that offsets are unaligned. */
export function safetensors(tensors: Record<string, TensorSpec>, pad = 0): Uint8Array {
  return encodeSafetensors(Object.entries(tensors).map(([name, { dtype, shape, values }]) => ({ name, dtype, shape, data: encodeValues(dtype, values) })), pad);
}
