// llmLens.modelPath for the suites that point it at a checkpoint folder, and the hook that puts
// the bundled model back: later suites hover with it, so each waits until the hover has it again.
import * as vscode from 'vscode';
import type { LensApi } from '../../src/extension';
import { until } from './editors';

/** Loading a model into the worker takes seconds, more on a busy machine. */
export const MODEL_LOAD_MS = 120_000;

export async function setModelPath(value: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration('llmLens').update('modelPath', value, vscode.ConfigurationTarget.Global);
}

/** Clears llmLens.modelPath, closes every tab and waits for the hover to load the bundled model. */
export async function restoreBundledModel(api: LensApi): Promise<void> {
  await setModelPath(undefined);
  await vscode.window.tabGroups.close(vscode.window.tabGroups.all.flatMap((g) => g.tabs));
  await until(() => api.hoverStats().model === 'tiny-gpt2-software', 'the hover to load the bundled model again', MODEL_LOAD_MS);
}
