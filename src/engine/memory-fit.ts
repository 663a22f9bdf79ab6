// Whether a model fits the runtime, decided from the weights' headers before any weight is read
// or any session is made. onnxruntime-web is a 32-bit WebAssembly module: one heap of at most
// 4 GiB holds every float32 weight, and while the vocabulary session is made its [d, V] table is
// there twice (the table and its prepacked copy), besides the activations of a run.

/** onnxruntime-web's heap: wasm32 addresses at most 4 GiB. */
export const WASM_HEAP_BYTES = 4 * 1024 ** 3;
/** Kept free for activations and the runtime itself (a T = 1,024 block of a 0.5 B model needs ~200 MB). */
export const RUNTIME_RESERVE_BYTES = 512 * 1024 ** 2;

export interface WeightFootprint {
  parameters: number;
  /** float32 bytes of every weight. */
  weightBytes: number;
  /** The largest [V, d] table's bytes: present twice while its session is made. */
  tableBytes: number;
  /** weightBytes + tableBytes + the reserve. */
  neededBytes: number;
  budgetBytes: number;
  fits: boolean;
}

export function weightFootprint(parameters: number, vocabSize: number, width: number, budgetBytes = WASM_HEAP_BYTES): WeightFootprint {
  const weightBytes = parameters * 4;
  const tableBytes = vocabSize * width * 4;
  const neededBytes = weightBytes + tableBytes + RUNTIME_RESERVE_BYTES;
  return { parameters, weightBytes, tableBytes, neededBytes, budgetBytes, fits: neededBytes <= budgetBytes };
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;

/** The refusal, with the numbers: "… needs 4.94 GB of float32 weights (1,235,814,400 parameters × 4 bytes) …". */
export function misfitMessage(model: string, f: WeightFootprint): string {
  return (
    `${model} does not fit: it needs ${gb(f.weightBytes)} of float32 weights (${f.parameters.toLocaleString('en-US')} parameters × 4 bytes), ` +
    `${gb(f.tableBytes)} more while its vocabulary table is prepared and ${gb(RUNTIME_RESERVE_BYTES)} for a run: ${gb(f.neededBytes)} in all, ` +
    `over the ${gb(f.budgetBytes)} heap of the WebAssembly runtime. Pick a model with fewer parameters.`
  );
}
