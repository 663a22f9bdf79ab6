// Which model LLM Lens runs: the bundled one, or the checkpoint folder that the
// `llmLens.modelPath` setting names (Hugging Face layout: config.json; model.safetensors or its
// shards with model.safetensors.index.json; tokenizer.json + tokenizer_config.json). A folder that
// cannot be used never stops the extension: the bundled model takes its place and the user is
// told why.
import * as vscode from 'vscode';
import os from 'node:os';
import path from 'node:path';
import { MAX_CONFIG_BYTES, MAX_WEIGHTS_BYTES } from './engine/checkpoint';
import { parseModelConfig } from './engine/families';
import { GENERATION_CONFIG_FILE } from './engine/generation-config';
import { MAX_TOKENIZER_BYTES, TOKENIZER_CONFIG_FILE, TOKENIZER_FILE } from './engine/model-tokenizer';
import type { ModelConfig } from './engine/types';
import { parseShardIndex, SHARD_INDEX_FILE } from './engine/weight-files';
import { SECTION } from './config';
import { fileProblem, type FileKind } from './file-checks';

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
  /** Folder holding the model's files. */
  folder: vscode.Uri;
  /** The folder's name, shown in the panel and the logs. */
  name: string;
  bundled: boolean;
  config: ModelConfig;
  files: ModelFiles;
}

export interface ResolvedModel {
  model: ModelLocation;
  /** Why the configured folder could not be used (the bundled model is used instead). */
  problem?: string;
}

export function configuredModelPath(): string {
  const value = vscode.workspace.getConfiguration(SECTION).get<unknown>('modelPath');
  return typeof value === 'string' ? value.trim() : '';
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
async function weightFiles(folder: vscode.Uri): Promise<Pick<ModelFiles, 'weights' | 'shardIndex'>> {
  const single = vscode.Uri.joinPath(folder, WEIGHTS_FILE);
  const indexUri = vscode.Uri.joinPath(folder, SHARD_INDEX_FILE);
  if (!(await exists(single)) && (await exists(indexUri))) {
    const index = parseShardIndex(await readText(indexUri, MAX_SHARD_INDEX_BYTES), indexUri.fsPath);
    let total = 0;
    for (const shard of index.shards) total += await statModelFile(vscode.Uri.joinPath(folder, shard), MAX_WEIGHTS_BYTES);
    if (total > MAX_WEIGHTS_BYTES) throw new Error(vscode.l10n.t('{0}: the shards hold {1} bytes, more than the {2} a model can run with', indexUri.fsPath, total.toLocaleString('en-US'), MAX_WEIGHTS_BYTES.toLocaleString('en-US')));
    return { weights: index.shards, shardIndex: SHARD_INDEX_FILE };
  }
  const size = await statModelFile(single, MAX_WEIGHTS_BYTES);
  if (size < MIN_WEIGHTS_BYTES) throw new Error(vscode.l10n.t('{0} is not a safetensors file ({1} bytes)', single.fsPath, size));
  return { weights: [WEIGHTS_FILE] };
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

async function readModel(folder: vscode.Uri, bundled: boolean): Promise<ModelLocation> {
  const name = path.basename(folder.fsPath) || folder.fsPath;
  const configUri = vscode.Uri.joinPath(folder, CONFIG_FILE);
  const config = parseModelConfig(await readText(configUri, MAX_CONFIG_BYTES), configUri.fsPath, name);
  const generation = vscode.Uri.joinPath(folder, GENERATION_CONFIG_FILE);
  const generationConfig = (await exists(generation)) && (await statModelFile(generation, MAX_CONFIG_BYTES)) >= 0 ? { generationConfig: GENERATION_CONFIG_FILE } : {};
  const files = { ...(await weightFiles(folder)), ...(await tokenizerFiles(folder, config)), ...generationConfig };
  return { folder, name, bundled, config, files };
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

/**
 * The model to run: the configured folder when it holds a usable checkpoint, otherwise the bundled
 * model with the reason. Rejects only when the bundled model itself cannot be read.
 */
export async function resolveModel(extensionUri: vscode.Uri, configured = configuredModelPath()): Promise<ResolvedModel> {
  const bundled = () => readModel(vscode.Uri.joinPath(extensionUri, ...BUNDLED_MODEL_FOLDER), true);
  if (!configured) return { model: await bundled() };
  const folder = modelFolderUri(configured);
  try {
    return { model: await readModel(folder, false) };
  } catch (error) {
    return { model: await bundled(), problem: modelCannotBeUsed(configured, error) };
  }
}

/** The sentence that says why llmLens.modelPath's folder is not used. */
export function modelCannotBeUsed(configured: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return vscode.l10n.t('The model in llmLens.modelPath ({0}) cannot be used: {1}. Using the bundled model instead.', modelFolderUri(configured).fsPath, reason);
}
