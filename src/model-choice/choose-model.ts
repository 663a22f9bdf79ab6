// LLM Lens: Choose Model…: a quick pick of the bundled model, the models already on this
// computer (the Hugging Face cache, which LLM Lens and Python's huggingface_hub share, and the
// configured folder), a curated list to download (with the download size and the memory each
// needs), "Enter a model id…" and "Open a folder…". Typing a model id offers to download it.
// The choice is written to llmLens.model once the model is on disk.
import * as vscode from 'vscode';
import os from 'node:os';
import { listCachedModels, type CachedModel } from '../hub/cache';
import { formatBytes } from '../hub/download';
import { hubCacheDir } from '../hub/hub-env';
import { formatHubModelRef, hubIdProblem, parseHubModelRef, type HubModelRef } from '../hub/hub-id';
import { extensionMemoryEstimates, memoryVerdict } from '../hub/memory-estimate';
import { readSettings } from '../config';
import { configuredModel } from '../model-location';
import { labelText } from '../untrusted-text';
import { CURATED_MODELS, curatedConfig, type CuratedModel } from './curated-models';

/** What a pick does. */
export type ModelChoice =
  | { kind: 'bundled' }
  /** A hub model: downloaded first when the cache lacks it. */
  | { kind: 'hub'; ref: HubModelRef }
  | { kind: 'folder'; folder: string }
  | { kind: 'enter-id' }
  | { kind: 'open-folder' };

export interface ChoiceItem extends vscode.QuickPickItem {
  choice?: ModelChoice;
}

function memoryNote(model: CuratedModel): { description: string; tooLarge?: string } {
  const config = curatedConfig(model);
  const estimates = extensionMemoryEstimates(config, model.downloadBytes, readSettings().weights);
  const need = estimates.reduce((sum, e) => sum + e.totalBytes, 0);
  const verdict = memoryVerdict(model.id, estimates, { totalBytes: os.totalmem(), freeBytes: Infinity }, vscode.l10n.t);
  const description = vscode.l10n.t('{0} download · needs about {1} GB of memory', formatBytes(model.downloadBytes), (need / 1e9).toFixed(1));
  return verdict.fits === 'no' ? { description, tooLarge: verdict.message } : { description };
}

/** The cached model's setting value: its id when main points at it, else id@commit. */
function cachedRef(model: CachedModel): HubModelRef {
  return { id: model.id, revision: model.refs.includes('main') ? 'main' : model.commit };
}

/** The items, in sections; `current` is the llmLens.model/modelPath value in effect (marked). */
export async function choiceItems(current: string | undefined): Promise<ChoiceItem[]> {
  const inUse = (description: string) => vscode.l10n.t('{0} · in use', description);
  const mark = (value: string, description: string) => (value === current ? inUse(description) : description);
  const bundled = vscode.l10n.t('bundled with LLM Lens · 12 M parameters');
  const items: ChoiceItem[] = [{ label: '$(package) tiny-gpt2-software', description: current === undefined ? inUse(bundled) : bundled, choice: { kind: 'bundled' } }];

  const cached = await listCachedModels(hubCacheDir());
  const configured = configuredModel();
  if (cached.length > 0 || configured?.kind === 'folder') {
    items.push({ label: vscode.l10n.t('On this computer'), kind: vscode.QuickPickItemKind.Separator });
    if (configured?.kind === 'folder') {
      items.push({ label: `$(folder) ${labelText(configured.folder.fsPath)}`, description: mark(configured.value, vscode.l10n.t('a folder')), choice: { kind: 'folder', folder: configured.folder.fsPath } });
    }
    for (const model of cached) {
      const ref = cachedRef(model);
      items.push({
        label: `$(database) ${labelText(model.id)}`,
        description: mark(formatHubModelRef(ref), vscode.l10n.t('{0} · in the Hugging Face cache', formatBytes(model.sizeBytes))),
        choice: { kind: 'hub', ref },
      });
    }
  }

  const downloadable = CURATED_MODELS.filter((model) => !cached.some((c) => c.id === model.id));
  if (downloadable.length > 0) {
    items.push({ label: vscode.l10n.t('Download from Hugging Face'), kind: vscode.QuickPickItemKind.Separator });
    for (const model of downloadable) {
      const { description, tooLarge } = memoryNote(model);
      items.push({
        label: `${model.gated ? '$(lock)' : '$(cloud-download)'} ${model.id}`,
        description: mark(model.id, description),
        ...(tooLarge ? { detail: `$(warning) ${labelText(tooLarge)}` } : model.gated ? { detail: vscode.l10n.t('Gated: the hub asks for a token and for its terms to be accepted on its page') } : {}),
        choice: { kind: 'hub', ref: { id: model.id, revision: 'main' } },
      });
    }
  }
  items.push(
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: `$(edit) ${vscode.l10n.t('Enter a model id…')}`, choice: { kind: 'enter-id' } },
    { label: `$(folder-opened) ${vscode.l10n.t('Open a folder…')}`, choice: { kind: 'open-folder' } },
  );
  return items;
}

/** An item for an id typed into the filter box, or undefined when the text is not one. */
export function typedItem(value: string, items: readonly ChoiceItem[]): ChoiceItem | undefined {
  const ref = parseHubModelRef(value.trim());
  if (!ref) return undefined;
  const listed = items.some((item) => item.choice?.kind === 'hub' && formatHubModelRef(item.choice.ref) === formatHubModelRef(ref));
  if (listed) return undefined;
  return { label: `$(cloud-download) ${labelText(formatHubModelRef(ref))}`, description: vscode.l10n.t('download from Hugging Face'), alwaysShow: true, choice: { kind: 'hub', ref } };
}

/** Shows the pick; resolves to what was chosen, or undefined when it was dismissed. */
export async function pickModel(current: string | undefined): Promise<ModelChoice | undefined> {
  const quickPick = vscode.window.createQuickPick<ChoiceItem>();
  quickPick.title = vscode.l10n.t('LLM Lens: Choose Model');
  quickPick.placeholder = vscode.l10n.t('Pick a model, or type a Hugging Face model id (e.g. Qwen/Qwen3-0.6B)');
  quickPick.matchOnDescription = true;
  quickPick.busy = true;
  quickPick.show();
  const items = await choiceItems(current);
  quickPick.items = items;
  quickPick.busy = false;
  return new Promise<ModelChoice | undefined>((resolve) => {
    const subscriptions = [
      quickPick.onDidChangeValue((value) => {
        const typed = typedItem(value, items);
        quickPick.items = typed ? [typed, ...items] : items;
      }),
      quickPick.onDidAccept(() => {
        const choice = quickPick.selectedItems[0]?.choice;
        if (!choice) return;
        resolve(choice);
        quickPick.hide();
      }),
      quickPick.onDidHide(() => {
        resolve(undefined);
        for (const subscription of subscriptions) subscription.dispose();
        quickPick.dispose();
      }),
    ];
  });
}

/** "Enter a model id…": an input box that checks the id as it is typed. */
export async function askForModelId(): Promise<HubModelRef | undefined> {
  const value = await vscode.window.showInputBox({
    title: vscode.l10n.t('LLM Lens: a model on Hugging Face'),
    prompt: vscode.l10n.t('A model id (organisation/name), optionally @revision: a branch, a tag or a commit'),
    placeHolder: 'Qwen/Qwen3-0.6B',
    ignoreFocusOut: true,
    validateInput: (text) => (text.trim() === '' || parseHubModelRef(text.trim()) ? undefined : hubIdProblem(text.trim().split('@')[0]!, vscode.l10n.t) ?? vscode.l10n.t('Not a model id: use organisation/name, optionally @revision')),
  });
  return value?.trim() ? parseHubModelRef(value.trim()) : undefined;
}

/** "Open a folder…": a checkpoint folder on disk. */
export async function askForFolder(): Promise<string | undefined> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: vscode.l10n.t('Use This Model Folder') });
  return picked?.[0]?.fsPath;
}
