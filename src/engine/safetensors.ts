// Reader for the safetensors format: an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {...}}, then raw
// little-endian tensor data. Tensors are converted to float32 one at a time, on demand, so
// that only the file's bytes and the tensors in use are ever held. The header can be read and
// checked on its own first (safetensorsHeaderLength, parseSafetensorsHeader), before the body.
import { jsonSyntaxProblem, quoteValue } from './json-syntax';

/** Element types this reader converts to float32. */
export const SUPPORTED_DTYPES = ['F32', 'F16', 'BF16'] as const;
export type SafetensorsDtype = (typeof SUPPORTED_DTYPES)[number];

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };

export interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Byte range of the data, relative to the whole file. */
  begin: number;
  end: number;
}

export interface SafetensorsFile {
  fileName: string;
  metadata: Record<string, string>;
  tensors: Map<string, TensorEntry>;
  /** The raw bytes of one tensor (a view into the file where it is in memory). */
  rawBytes(name: string): Uint8Array;
  /** One tensor converted to a fresh Float32Array. */
  readFloat32(name: string): Float32Array;
  /** Elements [start, start + count) of one tensor (flat, row-major), converted without reading the rest. */
  readFloat32Range(name: string, start: number, count: number): Float32Array;
  /** Closes the file where it is read from disk. */
  close(): void;
}

/** The header's length, a little-endian uint64, comes first. */
export const HEADER_LENGTH_BYTES = 8;
/** The longest JSON header accepted: the Rust safetensors crate's limit (MAX_HEADER_SIZE). */
export const MAX_HEADER_BYTES = 100_000_000;
/** `{}`: the shortest JSON object. */
const MIN_HEADER_BYTES = 2;

/** What the header says about a file of `fileSize` bytes, every entry checked; no tensor data read. */
export interface SafetensorsHeader {
  fileName: string;
  fileSize: number;
  metadata: Record<string, string>;
  tensors: Map<string, TensorEntry>;
}

const failIn = (fileName: string) => (problem: string): never => {
  throw new Error(`${fileName}: ${problem}`);
};

/**
 * The header's length, from the file's first 8 bytes (`first` may hold more), checked against the
 * file's size and MAX_HEADER_BYTES: a reader needs nothing else to know how much to read next.
 */
export function safetensorsHeaderLength(first: Uint8Array, fileSize: number, fileName: string): number {
  const fail = failIn(fileName);
  if (fileSize < HEADER_LENGTH_BYTES || first.byteLength < HEADER_LENGTH_BYTES) {
    fail(`file is too short to be safetensors (${fileSize} bytes; the header length alone takes 8)`);
  }
  const headerLength = Number(new DataView(first.buffer, first.byteOffset, HEADER_LENGTH_BYTES).getBigUint64(0, true));
  if (headerLength < MIN_HEADER_BYTES) fail(`header length ${headerLength} is too short for a JSON header; the file is not safetensors`);
  if (headerLength > MAX_HEADER_BYTES) {
    fail(`header length ${headerLength} is over the limit of ${MAX_HEADER_BYTES.toLocaleString('en-US')} bytes; the file is not safetensors or is damaged`);
  }
  if (HEADER_LENGTH_BYTES + headerLength > fileSize) {
    fail(`header length ${headerLength} exceeds the file (${fileSize} bytes); the file is truncated or not safetensors`);
  }
  return headerLength;
}

/**
 * Parses the JSON header (the `headerLength` bytes after the first 8 of a file of `fileSize`
 * bytes) and validates every tensor's dtype, shape and byte range: within the data section, the
 * size its shape needs, and overlapping no other tensor.
 */
export function parseSafetensorsHeader(headerBytes: Uint8Array, fileSize: number, fileName: string): SafetensorsHeader {
  const fail = failIn(fileName);
  const dataStart = HEADER_LENGTH_BYTES + headerBytes.byteLength;
  const text = new TextDecoder().decode(headerBytes);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(`header is ${jsonSyntaxProblem(error, text)}`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) fail('header is not a JSON object');

  const dataLength = fileSize - dataStart;
  const tensors = new Map<string, TensorEntry>();
  let metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      metadata = (value ?? {}) as Record<string, string>;
      continue;
    }
    const entry = parseEntry(name, value, dataLength, (problem) => fail(`tensor ${name}: ${problem}`));
    tensors.set(name, { ...entry, begin: entry.begin + dataStart, end: entry.end + dataStart });
  }
  const overlap = firstOverlap(tensors.values());
  if (overlap) {
    const [a, b] = overlap;
    const range = (t: TensorEntry) => `[${t.begin - dataStart}, ${t.end - dataStart}]`;
    fail(`tensors ${a.name} ${range(a)} and ${b.name} ${range(b)} overlap (data_offsets); the file is damaged or crafted`);
  }
  return { fileName, fileSize, metadata, tensors };
}

/** Two tensors whose byte ranges share a byte, if any (empty tensors hold no bytes). */
function firstOverlap(entries: Iterable<TensorEntry>): [TensorEntry, TensorEntry] | undefined {
  const sorted = [...entries].filter((t) => t.end > t.begin).sort((a, b) => a.begin - b.begin || a.end - b.end);
  let widest: TensorEntry | undefined; // of those seen, the one reaching furthest
  for (const entry of sorted) {
    if (widest && entry.begin < widest.end) return [widest, entry];
    if (!widest || entry.end > widest.end) widest = entry;
  }
  return undefined;
}

/**
 * A file's bytes: all in memory, or read in ranges when asked (a file on disk, so that a loaded
 * model does not also hold its file). `read` returns bytes [begin, end).
 */
export interface ByteSource {
  readonly byteLength: number;
  read(begin: number, end: number): Uint8Array;
  /** Gives back what the source holds (an open file); reads fail afterwards. */
  close?(): void;
}

export function memoryBytes(bytes: Uint8Array): ByteSource {
  return { byteLength: bytes.byteLength, read: (begin, end) => bytes.subarray(begin, end) };
}

/** Binds a parsed header to the file's bytes (which must be the file the header came from). */
export function bindSafetensors(header: SafetensorsHeader, file: Uint8Array | ByteSource): SafetensorsFile {
  const bytes = file instanceof Uint8Array ? memoryBytes(file) : file;
  const { fileName, metadata, tensors } = header;
  const fail = failIn(fileName);
  if (bytes.byteLength !== header.fileSize) fail(`the file is ${bytes.byteLength} bytes, not the ${header.fileSize} its header was read from`);
  const rawBytes = (name: string): Uint8Array => {
    const entry = tensors.get(name) ?? fail(`no tensor named ${name}`);
    return bytes.read(entry.begin, entry.end);
  };
  const readFloat32 = (name: string): Float32Array => {
    const entry = tensors.get(name) ?? fail(`no tensor named ${name}`);
    return toFloat32(entry.dtype, bytes.read(entry.begin, entry.end));
  };
  const readFloat32Range = (name: string, start: number, count: number): Float32Array => {
    const entry = tensors.get(name) ?? fail(`no tensor named ${name}`);
    const size = DTYPE_BYTES[entry.dtype];
    const total = (entry.end - entry.begin) / size;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(count) || start < 0 || count < 0 || start + count > total) {
      fail(`tensor ${name}: elements [${start}, ${start + count}) are outside its ${total} elements`);
    }
    const from = entry.begin + start * size;
    return toFloat32(entry.dtype, bytes.read(from, from + count * size));
  };
  return { fileName, metadata, tensors, rawBytes, readFloat32, readFloat32Range, close: () => bytes.close?.() };
}

/** The header of a whole file in memory. */
export function safetensorsHeaderOf(bytes: Uint8Array, fileName: string): SafetensorsHeader {
  const headerLength = safetensorsHeaderLength(bytes, bytes.byteLength, fileName);
  const headerBytes = bytes.subarray(HEADER_LENGTH_BYTES, HEADER_LENGTH_BYTES + headerLength);
  return parseSafetensorsHeader(headerBytes, bytes.byteLength, fileName);
}

/** Parses the header of a whole file in memory and binds it to the file's bytes. */
export function parseSafetensors(bytes: Uint8Array, fileName: string): SafetensorsFile {
  return bindSafetensors(safetensorsHeaderOf(bytes, fileName), bytes);
}

function parseEntry(
  name: string,
  value: unknown,
  dataLength: number,
  fail: (problem: string) => never,
): Omit<TensorEntry, 'name'> & { name: string } {
  if (typeof value !== 'object' || value === null) fail('header entry is not an object');
  const { dtype, shape, data_offsets: offsets } = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  if (typeof dtype !== 'string') fail('missing dtype');
  if (!(SUPPORTED_DTYPES as readonly string[]).includes(dtype as string)) {
    fail(`unsupported dtype ${/^\w{1,16}$/.test(dtype as string) ? dtype : quoteValue(dtype)} (supported: ${SUPPORTED_DTYPES.join(', ')})`);
  }
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    fail(`shape ${quoteValue(shape)} is not a list of non-negative integers`);
  }
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
    offsets[0] > offsets[1]
  ) {
    fail(`data_offsets ${quoteValue(offsets)} are not [begin, end] with 0 <= begin <= end`);
  }
  const [begin, end] = offsets as [number, number];
  if (end > dataLength) {
    fail(`data_offsets [${begin}, ${end}] exceed the file's data section (${dataLength} bytes); the file is truncated or lying`);
  }
  const typed = dtype as SafetensorsDtype;
  const dims = shape as number[];
  const expectedBytes = dims.reduce((a, b) => a * b, 1) * DTYPE_BYTES[typed];
  if (end - begin !== expectedBytes) {
    fail(
      `data_offsets [${begin}, ${end}] hold ${end - begin} bytes but shape [${dims.join(', ')}] of ${typed} needs ${expectedBytes}`,
    );
  }
  return { name, dtype: typed, shape: dims, begin, end };
}

/** Converts little-endian tensor bytes to float32 (this assumes a little-endian host, as every WASM and x86/ARM one is). */
export function toFloat32(dtype: SafetensorsDtype, raw: Uint8Array): Float32Array {
  switch (dtype) {
    case 'F32':
      // slice() copies into a fresh, aligned buffer: the file's offsets need not be 4-byte aligned.
      return new Float32Array(raw.slice().buffer);
    case 'F16':
      return float16ToFloat32(asUint16(raw));
    case 'BF16':
      return bfloat16ToFloat32(asUint16(raw));
  }
}

function asUint16(raw: Uint8Array): Uint16Array {
  const aligned = raw.byteOffset % 2 === 0 ? raw : raw.slice();
  return new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
}

/** bfloat16 is the top half of a float32: shift the bits into place. */
export function bfloat16ToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) bits[i] = halves[i] << 16;
  return out;
}

const SUBNORMAL_F16_UNIT = 2 ** -24;

/** IEEE half to single precision by bit manipulation (exact: every half is a float32). */
export function float16ToFloat32(halves: Uint16Array): Float32Array {
  const out = new Float32Array(halves.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < halves.length; i++) {
    const h = halves[i];
    const sign = (h & 0x8000) << 16;
    const exponent = (h >>> 10) & 0x1f;
    const mantissa = h & 0x3ff;
    if (exponent === 0) {
      // Zero or subnormal: value = mantissa * 2^-24, exactly representable in float32.
      out[i] = (sign ? -1 : 1) * mantissa * SUBNORMAL_F16_UNIT;
    } else if (exponent === 0x1f) {
      bits[i] = sign | 0x7f800000 | (mantissa << 13); // infinity or NaN
    } else {
      bits[i] = sign | ((exponent + 112) << 23) | (mantissa << 13); // rebias 15 -> 127
    }
  }
  return out;
}
