// Which files of a hub repository LLM Lens fetches: what the engine reads and nothing else.
// Weights only as safetensors: a .bin, .pt or .pth file is a Python pickle, and loading one can
// run code, so such weights are never fetched, whatever else the repository holds. Pure.
import { english, type Localize } from '../localize';
import { SHARD_INDEX_FILE } from '../engine/weight-files';
import { CONFIG_FILE, WEIGHTS_FILE } from './cache';

/** Read when present, skipped when not. */
export const OPTIONAL_FILES = ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json'] as const;

const PICKLED_WEIGHTS = /\.(bin|pt|pth|ckpt|pkl)$/i;

export type RepoFilesProblem = 'no-config' | 'pickle-only' | 'no-safetensors';

export class RepoFilesError extends Error {
  override readonly name = 'RepoFilesError';
  constructor(
    message: string,
    readonly problem: RepoFilesProblem,
  ) {
    super(message);
  }
}

export interface RepoFilePlan {
  /** Files to fetch first, by their path in the repository. */
  files: string[];
  /** The shard index is among them: its shards are known once it is read. */
  sharded: boolean;
}

/** The files to fetch from a repository that lists `available` (paths at its root and below). */
export function planRepoFiles(id: string, available: readonly string[], localize: Localize = english): RepoFilePlan {
  const present = new Set(available);
  if (!present.has(CONFIG_FILE)) {
    throw new RepoFilesError(localize('{0} has no config.json at its root: it is not a model LLM Lens can read', id), 'no-config');
  }
  const optional = OPTIONAL_FILES.filter((file) => present.has(file));
  if (present.has(WEIGHTS_FILE)) return { files: [CONFIG_FILE, WEIGHTS_FILE, ...optional], sharded: false };
  if (present.has(SHARD_INDEX_FILE)) return { files: [CONFIG_FILE, SHARD_INDEX_FILE, ...optional], sharded: true };
  const pickled = available.filter((file) => PICKLED_WEIGHTS.test(file));
  if (pickled.length > 0) {
    throw new RepoFilesError(
      localize(
        '{0} has its weights only as {1}, a Python pickle, which LLM Lens never downloads or loads (opening one can run code). Choose a repository with model.safetensors',
        id,
        pickled.slice(0, 3).join(', '),
      ),
      'pickle-only',
    );
  }
  throw new RepoFilesError(localize('{0} has no model.safetensors (nor model.safetensors.index.json) at its root', id), 'no-safetensors');
}
