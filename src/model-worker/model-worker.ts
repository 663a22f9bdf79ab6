// The extension's one model worker and the choice of the model it reads: the configured model
// (llmLens.model, else llmLens.modelPath) when the host's checks pass (model-location.ts) and the
// worker can read its tokenizer, else the bundled model with the reason. The hover, Explain Tokens and the status bar all ask
// `select()`, so they always agree on the model.
import * as vscode from 'vscode';
import { configuredModel, modelCannotBeUsed, resolveModel, type ResolvedModel } from '../model-location';
import { ModelWorkerClient } from './client';
import { readSettings } from '../config';

export interface ModelWorker {
  client: ModelWorkerClient;
  /** The model to run now, and why the configured one could not be (if so). */
  select(): Promise<ResolvedModel>;
}

export function startModelWorker(extensionUri: vscode.Uri, log: (message: string) => void): ModelWorker {
  const at = (...parts: string[]) => vscode.Uri.joinPath(extensionUri, ...parts).fsPath;
  const select = async (): Promise<ResolvedModel> => {
    const configured = configuredModel();
    const resolved = await resolveModel(extensionUri, configured);
    if (resolved.model.bundled || !configured) return resolved;
    // The worker reads the tokenizer (its file is large: never on the extension host's thread);
    // it keeps what it read, so asking again costs nothing.
    try {
      await client.openFolder(resolved.model.folder.fsPath);
      return resolved;
    } catch (error) {
      const { model } = await resolveModel(extensionUri, undefined);
      return { model, problem: modelCannotBeUsed(configured, error) };
    }
  };
  const client: ModelWorkerClient = new ModelWorkerClient({
    workerPath: at('dist', 'model-worker.mjs'),
    modelDir: async () => {
      const { model, problem } = await select();
      if (problem) log(`model worker: ${problem}`);
      return model.folder.fsPath;
    },
    wasmDir: at('dist', 'ort'),
    weights: () => readSettings().weights,
    log,
  });
  return { client, select };
}
