// Opening the model for the commands that run it: the checkpoint from disk, onnxruntime-web's
// WASM backend (the same code path as the extension's worker, so results match the editor).
import { LensEngine } from '../engine/engine';
import { defaultModelDir, loadCheckpointFromDir } from '../node/load-model';

export const MODEL_OPTION = { name: 'model', kind: 'string' } as const;

export async function openEngine(modelDir: string | undefined): Promise<LensEngine> {
  const dir = modelDir ?? defaultModelDir();
  const checkpoint = await loadCheckpointFromDir(dir);
  // The CLI tokenizes with r50k_base: its ids would mean nothing to another family's model.
  const family = checkpoint.config.architecture.family;
  if (family !== 'gpt2') throw new Error(`${dir}: model_type is "${family}"; the command line runs GPT-2-family checkpoints ("gpt2") only so far`);
  // Imported here, not at the top: `llm-lens tokens` should not pay for loading the runtime.
  const ort = await import('onnxruntime-web');
  ort.env.logLevel = 'error';
  return LensEngine.create(checkpoint, { ort, backend: 'wasm' });
}
