// What a model folder is called in messages and in the panel. A hub cache snapshot's folder is
// named after a commit (…/models--Qwen--Qwen3-0.6B/snapshots/5f1c…): it is called by its model id.
// Apart from cache.ts (which needs @huggingface/hub) so that the model worker's bundle stays small.
import path from 'node:path';
import { isCommitHash } from './hub-id';

/**
 * The model id of a folder laid out as a cache snapshot (.../models--{org}--{name}/snapshots/{commit}),
 * whoever opened it: a snapshot is named after its model, not its commit. Undefined for any other folder.
 */
export function snapshotModelId(folder: string): string | undefined {
  const resolved = path.resolve(folder);
  const commit = path.basename(resolved);
  const snapshots = path.dirname(resolved);
  const repo = path.basename(path.dirname(snapshots));
  if (!isCommitHash(commit) || path.basename(snapshots) !== 'snapshots' || !repo.startsWith('models--')) return undefined;
  return repo.slice('models--'.length).split('--').join('/');
}

/** How a model folder is named in messages: a snapshot by its model id, any other folder by its name. */
export function modelFolderName(folder: string): string {
  return snapshotModelId(folder) ?? (path.basename(path.resolve(folder)) || folder);
}

