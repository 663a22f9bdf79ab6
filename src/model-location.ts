// Which model LLM Lens runs: the bundled one, or the GPT-2-family checkpoint folder that the
// `llmLens.modelPath` setting names (config.json + model.safetensors, Hugging Face layout).
// A folder that cannot be used never stops the extension: the bundled model takes its place and
// the user is told why.
import * as vscode from 'vscode';
import os from 'node:os';
import path from 'node:path';
import { MAX_CONFIG_BYTES, MAX_WEIGHTS_BYTES, parseGpt2Config } from './engine/checkpoint';
import type { ModelConfig } from './engine/types';
import { SECTION } from './config';
import { fileProblem, type FileKind } from './file-checks';

export const BUNDLED_MODEL_FOLDER = ['media', 'models', 'tiny-gpt2-software'] as const;
const CONFIG_FILE = 'config.json';
const WEIGHTS_FILE = 'model.safetensors';
/** Header length (8 bytes) and at least a `{}` header: anything shorter is not a safetensors file. */
const MIN_WEIGHTS_BYTES = 10;

export interface ModelLocation {
  /** Folder holding config.json and model.safetensors. */
  folder: vscode.Uri;
  /** The folder's name, shown in the panel and the logs. */
  name: string;
  bundled: boolean;
  config: ModelConfig;
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

async function readModel(folder: vscode.Uri, bundled: boolean): Promise<ModelLocation> {
  const name = path.basename(folder.fsPath) || folder.fsPath;
  const configUri = vscode.Uri.joinPath(folder, CONFIG_FILE);
  // Both files are stat'ed before anything is read (see file-checks.ts): the panel and the
  // hover's worker read them next, and nothing but a regular file of sensible size may reach them.
  await statModelFile(configUri, MAX_CONFIG_BYTES);
  let configJson: string;
  try {
    configJson = new TextDecoder().decode(await vscode.workspace.fs.readFile(configUri));
  } catch {
    throw new Error(vscode.l10n.t('{0} is missing', configUri.fsPath));
  }
  const { config } = parseGpt2Config(configJson, configUri.fsPath, name);
  const weightsUri = vscode.Uri.joinPath(folder, WEIGHTS_FILE);
  const size = await statModelFile(weightsUri, MAX_WEIGHTS_BYTES);
  if (size < MIN_WEIGHTS_BYTES) throw new Error(vscode.l10n.t('{0} is not a safetensors file ({1} bytes)', weightsUri.fsPath, size));
  return { folder, name, bundled, config };
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
    const reason = error instanceof Error ? error.message : String(error);
    return {
      model: await bundled(),
      problem: vscode.l10n.t('The model in llmLens.modelPath ({0}) cannot be used: {1}. Using the bundled model instead.', folder.fsPath, reason),
    };
  }
}
