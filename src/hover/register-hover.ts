// Wires the next-token hover: one model worker for the extension's lifetime, the provider for
// every file and untitled document, and the command its link runs.
import * as vscode from 'vscode';
import { tokenize } from '../engine/tokenizer';
import { textOrId } from '../engine/vocabulary-text';
import { resolveModel } from '../model-location';
import { ModelWorkerClient } from '../model-worker/client';
import { describePriority } from '../model-worker/thread-priority';
import { NextTokenHoverProvider } from './hover-provider';
import { readHoverSettings } from './hover-settings';

/** The bundled model's context; the worker reports the real one once loaded. */
const BUNDLED_CONTEXT = 512;

export interface HoverStats {
  liveWorkers: number;
  pendingRequests: number;
  cachedPredictions: number;
  analysedRegions: number;
  /** Provider call to hover object, last hovers, ms. */
  recentDurationsMs: number[];
  /** Per hover, the longest it ran on the extension host's thread without yielding, last hovers, ms. */
  recentSyncMs: number[];
  /** The model the worker has loaded, once it has. */
  model?: string;
}

export interface HoverFeature extends vscode.Disposable {
  provider: NextTokenHoverProvider;
  stats(): HoverStats;
}

export function registerHover(extensionUri: vscode.Uri, log: (message: string) => void): HoverFeature {
  const at = (...parts: string[]) => vscode.Uri.joinPath(extensionUri, ...parts).fsPath;
  const client = new ModelWorkerClient({
    workerPath: at('dist', 'model-worker.mjs'),
    // The model of llmLens.modelPath, or the bundled one (the problem with the setting is logged).
    modelDir: async () => {
      const { model, problem } = await resolveModel(extensionUri);
      if (problem) log(`hover: ${problem}`);
      return model.folder.fsPath;
    },
    wasmDir: at('dist', 'ort'),
    log,
  });
  let contextLimit = BUNDLED_CONTEXT;
  let loadedModel: string | undefined;
  const provider = new NextTokenHoverProvider({
    client,
    settings: () => readHoverSettings(contextLimit),
    tokenize: (text) => tokenize(text),
    tokenText: (id) => textOrId(id),
    log,
    openPanelCommand: 'llmLens.explainAt',
  });
  // Load the model in the background once the hover is enabled, so the first hover is quick.
  const loadInBackground = () => {
    if (!readHoverSettings(contextLimit).enabled) return;
    client.load().then(
      ({ config, backend, priority }) => {
        contextLimit = config.nPositions;
        loadedModel = config.name;
        log(`hover model ready: ${config.name}, ${backend.name} (${backend.reason}), worker at ${describePriority(priority)}`);
      },
      (error: Error) => log(`hover model failed to load: ${error.message}`),
    );
  };
  loadInBackground();
  const modelChanged = vscode.workspace.onDidChangeConfiguration((event) => {
    if (!event.affectsConfiguration('llmLens.modelPath')) return;
    client.reload();
    provider.forgetPredictions();
    loadedModel = undefined;
    loadInBackground();
  });
  const registration = vscode.languages.registerHoverProvider([{ scheme: 'file' }, { scheme: 'untitled' }, { scheme: 'vscode-remote' }], provider);
  return {
    provider,
    stats: () => ({ liveWorkers: client.liveWorkers, pendingRequests: client.pendingRequests, ...provider.cacheSizes(), recentDurationsMs: provider.recentDurations(), recentSyncMs: provider.recentSyncMs(), model: loadedModel }),
    dispose: () => {
      modelChanged.dispose();
      registration.dispose();
      provider.dispose();
      void client.dispose();
    },
  };
}
