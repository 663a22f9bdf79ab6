// Turning engine results into JSON: nested arrays for flat tensors, and numbers cut to the
// precision the model computes in.

/**
 * float32 carries about 7.2 significant decimal digits; printing its values as doubles gives
 * 17 digits of noise (and attention at T=512 is millions of numbers), so keep 7.
 */
export function roundFloat32(x: number): number {
  if (!Number.isFinite(x)) return x; // -Infinity is a real logprob; JSON shows it as null
  return x === 0 ? 0 : Number(x.toPrecision(7));
}

/** Reshapes a flat row-major array into nested arrays of `shape`, rounding every value. */
export function reshape(values: ArrayLike<number>, shape: readonly number[]): unknown[] {
  const expected = shape.reduce((a, b) => a * b, 1);
  if (values.length !== expected) {
    throw new Error(`cannot reshape ${values.length} values to [${shape.join(', ')}] (${expected} values)`);
  }
  const build = (dim: number, offset: number): unknown[] => {
    const size = shape[dim]!;
    if (dim === shape.length - 1) {
      const row = new Array<number>(size);
      for (let i = 0; i < size; i++) row[i] = roundFloat32(values[offset + i]!);
      return row;
    }
    const stride = shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: size }, (_, i) => build(dim + 1, offset + i * stride));
  };
  return build(0, 0);
}

/** Writes one JSON document and a newline to stdout, resolving once it is flushed. */
export function writeJson(value: unknown, pretty: boolean): Promise<void> {
  const text = JSON.stringify(value, null, pretty ? 2 : undefined) + '\n';
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (error) => (error ? reject(error) : resolve()));
  });
}
