// Which model LLM Lens runs: the bundled one, or the model the `llmLens.model` setting names (a
// Hugging Face hub id, found in the Hugging Face cache, or a folder), else the folder of the older
// `llmLens.modelPath` (Hugging Face layout: config.json; model.safetensors or its shards with
// model.safetensors.index.json; tokenizer.json + tokenizer_config.json). A model that cannot be
// used never stops the extension: the bundled model takes its place and the user is told why.
// Nothing here touches the network: a hub model is used only once it is in the cache.
import * as vscode from 'vscode';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MAX_CONFIG_BYTES, MAX_WEIGHTS_BYTES } from './engine/checkpoint';
import { parseModelConfig } from './engine/families';
import { GENERATION_CONFIG_FILE } from './engine/generation-config';
import { MAX_TOKENIZER_BYTES, TOKENIZER_CONFIG_FILE, TOKENIZER_FILE } from './engine/model-tokenizer';
import type { ModelConfig } from './engine/types';
import { parseShardIndex, SHARD_INDEX_FILE } from './engine/weight-files';
import { readSettings, SECTION } from './config';
import { fileProblem, type FileKind } from './file-checks';
import { findCachedModel } from './hub/cache';
import { hubCacheDir } from './hub/hub-env';
import { formatHubModelRef, hubIdProblem, looksLikePath, parseHubModelRef, revisionProblem, type HubModelRef } from './hub/hub-id';
import { extensionMemoryEstimates, memoryVerdict } from './hub/memory-estimate';
import { modelFolderName } from './hub/snapshot-name';

export const BUNDLED_MODEL_FOLDER = ['media', 'models', 'tiny-gpt2-software'] as const;
const CONFIG_FILE = 'config.json';
const WEIGHTS_FILE = 'model.safetensors';
/** Header length (8 bytes) and at least a `{}` header: anything shorter is not a safetensors file. */
const MIN_WEIGHTS_BYTES = 10;
/** A shard index lists every tensor once: a few hundred kilobytes for the largest models. */
const MAX_SHARD_INDEX_BYTES = 16 * MAX_CONFIG_BYTES;

/** The files of a model folder that the panel and the worker read, by name within the folder. */
export interface ModelFiles {
  /** model.safetensors, or every shard the index names. */
  weights: string[];
  shardIndex?: string;
  /** Present when the folder has them; a GPT-2 checkpoint without them reads text with r50k_base. */
  tokenizer?: string;
  tokenizerConfig?: string;
  /** generation_config.json, where the folder has one. */
  generationConfig?: string;
}

export interface ModelLocation {
  /** Folder holding the model's files (a hub model's snapshot in the Hugging Face cache). */
  folder: vscode.Uri;
  /** The folder's name, or a hub model's id: shown in the panel, the status bar and the logs. */
  name: string;
  bundled: boolean;
  config: ModelConfig;
  files: ModelFiles;
}

export interface ResolvedModel {
  model: ModelLocation;
  /** Why the configured model could not be used (the bundled model is used instead). */
  problem?: string;
  /** The configured hub model that is not in the cache yet (a download would let it run). */
  notDownloaded?: HubModelRef;
  /** It runs, but memory is short (the estimate's numbers). */
  warning?: string;
}

/** The model the settings name: llmLens.model when set, else llmLens.modelPath. */
export type ConfiguredModel =
  | { setting: 'model' | 'modelPath'; value: string; kind: 'folder'; folder: vscode.Uri }
  | { setting: 'model'; value: string; kind: 'hub'; ref: HubModelRef }
  | { setting: 'model'; value: string; kind: 'invalid'; problem: string };

/**
 * The settings that choose the model and how it is held: a change to any is a change of model
 * (llmLens.weights: float32 or 8-bit weights are another set of sessions).
 */
export const MODEL_SETTINGS = [`${SECTION}.model`, `${SECTION}.modelPath`, `${SECTION}.weights`] as const;

export function affectsModelChoice(event: vscode.ConfigurationChangeEvent): boolean {
  return MODEL_SETTINGS.some((setting) => event.affectsConfiguration(setting));
}

function settingText(name: 'model' | 'modelPath'): string {
  const value = vscode.workspace.getConfiguration(SECTION).get<unknown>(name);
  return typeof value === 'string' ? value.trim() : '';
}

/**
 * llmLens.model's value read as a folder or a hub id: a path (/x, ~/x, ./x, C:\x) is a folder; an
 * id ("gpt2", "Qwen/Qwen3-0.6B", "org/name@revision") is a hub model unless a folder of that name
 * exists in the workspace (as transformers' from_pretrained decides).
 */
export function readModelSetting(value: string): ConfiguredModel {
  const folder = modelFolderUri(value);
  if (looksLikePath(value) || fs.existsSync(folder.fsPath)) return { setting: 'model', value, kind: 'folder', folder };
  const ref = parseHubModelRef(value);
  if (ref) return { setting: 'model', value, kind: 'hub', ref };
  const at = value.indexOf('@');
  const problem = hubIdProblem(at === -1 ? value : value.slice(0, at), vscode.l10n.t) ?? revisionProblem(value.slice(at + 1), vscode.l10n.t)!;
  return { setting: 'model', value, kind: 'invalid', problem: vscode.l10n.t('it is not a folder, and {0}', problem) };
}

export function configuredModel(): ConfiguredModel | undefined {
  const model = settingText('model');
  if (model) return readModelSetting(model);
  const modelPath = settingText('modelPath');
  return modelPath ? { setting: 'modelPath', value: modelPath, kind: 'folder', folder: modelFolderUri(modelPath) } : undefined;
}

/** `~` is the home folder; a relative path is taken from the first workspace folder. */
export function modelFolderUri(configured: string): vscode.Uri {
  const expanded = configured === '~' || configured.startsWith('~/') ? path.join(os.homedir(), configured.slice(1)) : configured;
  if (path.isAbsolute(expanded)) return vscode.Uri.file(expanded);
  const base = vscode.workspace.workspaceFolders?.[0]?.uri;
  return base ? vscode.Uri.joinPath(base, expanded) : vscode.Uri.file(path.resolve(expanded));
}

async function readText(uri: vscode.Uri, maxBytes: number): Promise<string> {
  // Stat'ed before anything is read (see file-checks.ts): nothing but a regular file of sensible size is read.
  await statModelFile(uri, maxBytes);
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    throw new Error(vscode.l10n.t('{0} is missing', uri.fsPath));
  }
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

/** model.safetensors, or the shard index and every shard it names: each a regular file, all together under the weights limit. */
async function weightFiles(folder: vscode.Uri): Promise<Pick<ModelFiles, 'weights' | 'shardIndex'> & { bytes: number }> {
  const single = vscode.Uri.joinPath(folder, WEIGHTS_FILE);
  const indexUri = vscode.Uri.joinPath(folder, SHARD_INDEX_FILE);
  if (!(await exists(single)) && (await exists(indexUri))) {
    const index = parseShardIndex(await readText(indexUri, MAX_SHARD_INDEX_BYTES), indexUri.fsPath);
    let total = 0;
    for (const shard of index.shards) total += await statModelFile(vscode.Uri.joinPath(folder, shard), MAX_WEIGHTS_BYTES);
    if (total > MAX_WEIGHTS_BYTES) throw new Error(vscode.l10n.t('{0}: the shards hold {1} bytes, more than the {2} a model can run with', indexUri.fsPath, total.toLocaleString('en-US'), MAX_WEIGHTS_BYTES.toLocaleString('en-US')));
    return { weights: index.shards, shardIndex: SHARD_INDEX_FILE, bytes: total };
  }
  const size = await statModelFile(single, MAX_WEIGHTS_BYTES);
  if (size < MIN_WEIGHTS_BYTES) throw new Error(vscode.l10n.t('{0} is not a safetensors file ({1} bytes)', single.fsPath, size));
  return { weights: [WEIGHTS_FILE], bytes: size };
}

/** tokenizer.json and tokenizer_config.json where the folder has them (checked, not read: the worker and the panel read them). */
async function tokenizerFiles(folder: vscode.Uri, config: ModelConfig): Promise<Pick<ModelFiles, 'tokenizer' | 'tokenizerConfig'>> {
  const json = vscode.Uri.joinPath(folder, TOKENIZER_FILE);
  if (!(await exists(json))) {
    if (config.architecture.family === 'gpt2') return {};
    throw new Error(vscode.l10n.t('{0} is missing: a {1} model reads text with its own tokenizer', json.fsPath, config.architecture.family));
  }
  await statModelFile(json, MAX_TOKENIZER_BYTES);
  const configUri = vscode.Uri.joinPath(folder, TOKENIZER_CONFIG_FILE);
  if (!(await exists(configUri))) return { tokenizer: TOKENIZER_FILE };
  await statModelFile(configUri, MAX_TOKENIZER_BYTES);
  return { tokenizer: TOKENIZER_FILE, tokenizerConfig: TOKENIZER_CONFIG_FILE };
}

async function readModel(folder: vscode.Uri, bundled: boolean): Promise<ModelLocation & { weightsBytes: number }> {
  const name = modelFolderName(folder.fsPath);
  const configUri = vscode.Uri.joinPath(folder, CONFIG_FILE);
  const config = parseModelConfig(await readText(configUri, MAX_CONFIG_BYTES), configUri.fsPath, name);
  const { bytes: weightsBytes, ...weights } = await weightFiles(folder);
  const generation = vscode.Uri.joinPath(folder, GENERATION_CONFIG_FILE);
  const generationConfig = (await exists(generation)) && (await statModelFile(generation, MAX_CONFIG_BYTES)) >= 0 ? { generationConfig: GENERATION_CONFIG_FILE } : {};
  const files = { ...weights, ...(await tokenizerFiles(folder, config)), ...generationConfig };
  return { folder, name, bundled, config, files, weightsBytes };
}

/** The memory estimate against this machine: refused with the numbers when it cannot fit, a warning when memory is short now. */
function memoryWarning(model: ModelLocation & { weightsBytes: number }): string | undefined {
  const verdict = memoryVerdict(model.name, extensionMemoryEstimates(model.config, model.weightsBytes, readSettings().weights), { totalBytes: os.totalmem(), freeBytes: os.freemem() }, vscode.l10n.t);
  if (verdict.fits === 'no') throw new Error(verdict.message);
  return verdict.fits === 'tight' ? verdict.message : undefined;
}

function locationOf(model: ModelLocation & { weightsBytes: number }): ModelLocation {
  const { weightsBytes: _, ...location } = model;
  return location;
}

/** The file's size, once it is known to be a regular file of at most `maxBytes`. */
async function statModelFile(uri: vscode.Uri, maxBytes: number): Promise<number> {
  let stat: vscode.FileStat;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch {
    throw new Error(vscode.l10n.t('{0} is missing', uri.fsPath));
  }
  // A symbolic link carries its target's type as well (File | SymbolicLink); one to a device, a pipe or nothing is Unknown | SymbolicLink.
  const kind: FileKind = stat.type & vscode.FileType.File ? 'file' : stat.type & vscode.FileType.Directory ? 'folder' : 'other';
  const problem = fileProblem(uri.fsPath, kind, stat.size, maxBytes, vscode.l10n.t);
  if (problem) throw new Error(problem);
  return stat.size;
}

/** The folder of a configured model: a hub model's snapshot when the cache has it. */
function configuredFolder(configured: ConfiguredModel): { folder: vscode.Uri } | { problem: string; notDownloaded?: HubModelRef } {
  switch (configured.kind) {
    case 'folder':
      return { folder: configured.folder };
    case 'invalid':
      return { problem: configured.problem };
    case 'hub': {
      const cached = findCachedModel(hubCacheDir(), configured.ref);
      if (cached) return { folder: vscode.Uri.file(cached.folder) };
      return {
        problem: vscode.l10n.t('{0} is not in the Hugging Face cache ({1}) yet: download it with “LLM Lens: Choose Model…”', formatHubModelRef(configured.ref), hubCacheDir()),
        notDownloaded: configured.ref,
      };
    }
  }
}

/**
 * The model to run (configured: configuredModel(), or undefined for the bundled one): the configured one when it is usable (a folder with a checkpoint, a hub
 * model in the cache, within memory), otherwise the bundled model with the reason. Rejects only
 * when the bundled model itself cannot be read.
 */
export async function resolveModel(extensionUri: vscode.Uri, configured: ConfiguredModel | undefined): Promise<ResolvedModel> {
  const bundled = async () => locationOf(await readModel(vscode.Uri.joinPath(extensionUri, ...BUNDLED_MODEL_FOLDER), true));
  if (!configured) return { model: await bundled() };
  const where = configuredFolder(configured);
  if ('problem' in where) {
    return { model: await bundled(), problem: modelCannotBeUsed(configured, where.problem), ...(where.notDownloaded ? { notDownloaded: where.notDownloaded } : {}) };
  }
  try {
    const model = await readModel(where.folder, false);
    const warning = memoryWarning(model);
    return { model: locationOf(model), ...(warning ? { warning } : {}) };
  } catch (error) {
    return { model: await bundled(), problem: modelCannotBeUsed(configured, error) };
  }
}

/** The sentence that says why the configured model is not used. */
export function modelCannotBeUsed(configured: ConfiguredModel, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  if (configured.setting === 'modelPath') {
    return vscode.l10n.t('The model in llmLens.modelPath ({0}) cannot be used: {1}. Using the bundled model instead.', modelFolderUri(configured.value).fsPath, reason);
  }
  const shown = configured.kind === 'folder' ? configured.folder.fsPath : configured.value;
  return vscode.l10n.t('The model in llmLens.model ({0}) cannot be used: {1}. Using the bundled model instead.', shown, reason);
}
