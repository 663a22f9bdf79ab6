// Writes safetensors files for tests: checkpoints built in memory, or rearranged (sharded) ones.

export interface RawTensor {
  name: string;
  /** Any dtype name, supported or not: tests write unsupported ones on purpose. */
  dtype: string;
  shape: number[];
  /** Little-endian element bytes. */
  data: Uint8Array;
}

/** A safetensors file holding `tensors` in order; `pad` bytes before the data make every offset unaligned. */
export function encodeSafetensors(tensors: RawTensor[], pad = 0): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = pad;
  for (const { name, dtype, shape, data } of tensors) {
    header[name] = { dtype, shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
  out.set(json, 8);
  let at = 8 + json.byteLength + pad;
  for (const { data } of tensors) {
    out.set(data, at);
    at += data.byteLength;
  }
  return out;
}

/** The tensors of a safetensors file, in file order (views into `bytes`). */
export function decodeSafetensors(bytes: Uint8Array): RawTensor[] {
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  const start = 8 + headerLength;
  return Object.entries(header)
    .filter(([name]) => name !== '__metadata__')
    .map(([name, entry]) => {
      const { dtype, shape, data_offsets: [begin, end] } = entry as { dtype: string; shape: number[]; data_offsets: [number, number] };
      return { name, dtype, shape, data: bytes.subarray(start + begin, start + end) };
    });
}
