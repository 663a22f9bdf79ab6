// The extension's one model worker: the model of llmLens.modelPath (or the bundled one) read in a
// worker thread, for the hover, Explain Tokens' tokenization and the status bar's count.
import * as vscode from 'vscode';
import { resolveModel } from '../model-location';
import { ModelWorkerClient } from './client';

export function startModelWorker(extensionUri: vscode.Uri, log: (message: string) => void): ModelWorkerClient {
  const at = (...parts: string[]) => vscode.Uri.joinPath(extensionUri, ...parts).fsPath;
  return new ModelWorkerClient({
    workerPath: at('dist', 'model-worker.mjs'),
    // The model of llmLens.modelPath, or the bundled one (the problem with the setting is logged).
    modelDir: async () => {
      const { model, problem } = await resolveModel(extensionUri);
      if (problem) log(`model worker: ${problem}`);
      return model.folder.fsPath;
    },
    wasmDir: at('dist', 'ort'),
    log,
  });
}
