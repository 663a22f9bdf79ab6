// Wires the next-token hover: the provider for every file and untitled document, over the
// extension's model worker, and the command its link runs.
import * as vscode from 'vscode';
import { tokenize } from '../engine/tokenizer';
import type { ModelWorkerClient } from '../model-worker/client';
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

/**
 * `onModelChange`: fires when the model to run may have changed (llmLens.model or
 * llmLens.modelPath changed, a hub model arrived in the cache).
 */
export function registerHover(client: ModelWorkerClient, log: (message: string) => void, onModelChange: vscode.Event<void>): HoverFeature {
  let contextLimit = BUNDLED_CONTEXT;
  let loadedModel: string | undefined;
  // Without the worker, the hovered token can still be shown where the host has the model's
  // tokenizer: GPT-2's r50k_base. A tokenizer.json lives only in the worker.
  let hostTokenizes = true;
  const provider = new NextTokenHoverProvider({
    client,
    settings: () => readHoverSettings(contextLimit),
    tokenize: (text) => (hostTokenizes ? tokenize(text) : []),
    log,
    openPanelCommand: 'llmLens.explainAt',
  });
  // Load the model in the background once the hover is enabled, so the first hover is quick.
  const loadInBackground = () => {
    if (!readHoverSettings(contextLimit).enabled) return;
    client.load().then(
      ({ config, backend, priority, tokenizer }) => {
        contextLimit = config.nPositions;
        hostTokenizes = tokenizer.name === 'r50k_base' && !tokenizer.addsBos;
        loadedModel = config.name;
        log(`hover model ready: ${config.name}, ${backend.name} (${backend.reason}), worker at ${describePriority(priority)}`);
      },
      (error: Error) => log(`hover model failed to load: ${error.message}`),
    );
  };
  loadInBackground();
  const modelChanged = onModelChange(() => {
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
    },
  };
}
