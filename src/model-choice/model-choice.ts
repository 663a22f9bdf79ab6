// The model choice inside VS Code: the Choose Model command (and its status bar item), the
// Hugging Face token command, and one event for "the model to run may have changed" (either
// setting changed, or a hub model arrived in the cache) that the hover and the status bar follow.
// A configured hub model that is not downloaded yet is offered for download.
import * as vscode from 'vscode';
import { SECTION } from '../config';
import { formatHubModelRef, type HubModelRef } from '../hub/hub-id';
import { errorText, type Reporter } from '../log';
import { affectsModelChoice, configuredModel, readModelSetting, type ResolvedModel } from '../model-location';
import { askForFolder, askForModelId, pickModel, type ModelChoice } from './choose-model';
import { HubDownloads } from './hub-downloads';
import { HubTokens } from './hub-token';
import { ModelStatus } from './model-status';

/** What Choose Model did (the command resolves with it). */
export interface ChooseModelOutcome {
  status: 'chosen' | 'dismissed' | 'failed';
  /** llmLens.model's new value ('' for the bundled model). */
  value?: string;
}

export interface ModelChoiceDependencies {
  reporter: Reporter;
  secrets: vscode.SecretStorage;
  /** The model the extension runs now (the model worker's choice). */
  select: () => Promise<ResolvedModel>;
}

/** Writes a model setting where its value comes from now (the workspace, if it sets it), else the user settings. */
async function writeSetting(name: 'model' | 'modelPath', value: string): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect<string>(name);
  const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update(name, value, target);
}

export class ModelChoiceFeature implements vscode.Disposable {
  private readonly changes = new vscode.EventEmitter<void>();
  /** The model to run may have changed: read select() again. */
  readonly onDidChangeModel = this.changes.event;
  private readonly status = new ModelStatus();
  private readonly tokens: HubTokens;
  private readonly downloads: HubDownloads;
  private readonly subscriptions: vscode.Disposable[];
  /** The hub model last offered for download, so that one change offers it once. */
  private offered: string | undefined;

  constructor(private readonly deps: ModelChoiceDependencies) {
    this.tokens = new HubTokens(deps.secrets);
    this.downloads = new HubDownloads(deps.reporter, this.tokens);
    this.subscriptions = [
      this.changes,
      this.status,
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (affectsModelChoice(event)) this.changes.fire();
      }),
      this.onDidChangeModel(() => void this.refresh()),
      vscode.commands.registerCommand('llmLens.chooseModel', (value?: unknown) => this.choose(value)),
      vscode.commands.registerCommand('llmLens.setHuggingFaceToken', () => this.setToken()),
    ];
    void this.refresh();
  }

  /** The status bar item's text and tooltip (for the tests). */
  statusItem(): { text: string; tooltip: string } {
    return this.status.current();
  }

  /** Shows the model in use; offers to download a configured hub model that is not in the cache. */
  async refresh(): Promise<void> {
    let resolved: ResolvedModel;
    try {
      resolved = await this.deps.select();
    } catch (error) {
      this.deps.reporter.warn(`could not read the model: ${errorText(error)}`);
      return;
    }
    this.status.show(resolved);
    const missing = resolved.notDownloaded;
    if (!missing || this.offered === formatHubModelRef(missing)) return;
    this.offered = formatHubModelRef(missing);
    const download = vscode.l10n.t('Download');
    const choice = await vscode.window.showInformationMessage(
      vscode.l10n.t('LLM Lens: {0} is not downloaded yet; the bundled model runs until it is. Download it now?', formatHubModelRef(missing)),
      download,
    );
    if (choice === download && (await this.downloads.download(missing))) this.changes.fire();
  }

  /**
   * Choose Model. With a value (a hub id or a folder, as llmLens.model takes), that model is
   * used without the pick (for keybindings and scripts).
   */
  async choose(value?: unknown): Promise<ChooseModelOutcome> {
    let choice: ModelChoice | undefined;
    if (typeof value === 'string' && value.trim() !== '') {
      const read = readModelSetting(value.trim());
      if (read.kind === 'invalid') {
        this.deps.reporter.error(vscode.l10n.t('Cannot use {0} as a model: {1}', read.value, read.problem));
        return { status: 'failed' };
      }
      choice = read.kind === 'hub' ? { kind: 'hub', ref: read.ref } : { kind: 'folder', folder: read.value };
    } else {
      choice = await pickModel(configuredModel()?.value);
    }
    if (choice?.kind === 'enter-id') {
      const ref = await askForModelId();
      choice = ref ? { kind: 'hub', ref } : undefined;
    }
    if (choice?.kind === 'open-folder') {
      const folder = await askForFolder();
      choice = folder ? { kind: 'folder', folder } : undefined;
    }
    if (!choice) return { status: 'dismissed' };
    switch (choice.kind) {
      case 'bundled':
        await writeSetting('model', '');
        if (configuredModel()) await writeSetting('modelPath', '');
        return { status: 'chosen', value: '' };
      case 'folder':
        await writeSetting('model', choice.folder);
        return { status: 'chosen', value: choice.folder };
      case 'hub':
        return this.chooseHubModel(choice.ref);
    }
  }

  private async chooseHubModel(ref: HubModelRef): Promise<ChooseModelOutcome> {
    const downloaded = await this.downloads.download(ref);
    if (!downloaded) return { status: 'failed' };
    const value = formatHubModelRef(ref);
    await writeSetting('model', value);
    // The setting may already have named it (the bundled model ran until it was downloaded).
    this.changes.fire();
    return { status: 'chosen', value };
  }

  private async setToken(): Promise<void> {
    const token = await this.tokens.ask(vscode.l10n.t('For gated and private models on Hugging Face.'));
    if (token) this.deps.reporter.inform(vscode.l10n.t('The Hugging Face token is saved in VS Code\'s secret storage.'));
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
