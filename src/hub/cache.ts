// The Hugging Face hub cache, laid out as huggingface_hub lays it out, so that a model either side
// downloaded is the other's without a second download:
//   {cache}/models--{org}--{name}/blobs/{etag}                 the files' bytes, named by their hash
//   {cache}/models--{org}--{name}/snapshots/{commit}/{file}    a relative symbolic link to ../../blobs/{etag}
//                                                              (a copy where links cannot be made, as on Windows)
//   {cache}/models--{org}--{name}/refs/{revision}              the commit a branch or tag pointed at, no newline
// Finding a model reads only this folder: it works offline.
import fs from 'node:fs';
import path from 'node:path';
import { getRepoFolderName, scanCacheDir } from '@huggingface/hub';
import { SHARD_INDEX_FILE, parseShardIndex } from '../engine/weight-files';
import { isCommitHash, type HubModelRef } from './hub-id';

export const CONFIG_FILE = 'config.json';
export const WEIGHTS_FILE = 'model.safetensors';

export interface CachedSnapshot {
  id: string;
  commit: string;
  /** snapshots/{commit}: the folder the loaders read. */
  folder: string;
}

export interface CachedModel extends CachedSnapshot {
  /** Branches and tags that point at this commit (e.g. ["main"]). */
  refs: string[];
  /** Bytes of the snapshot's files. */
  sizeBytes: number;
}

/** models--{org}--{name} in the cache. */
export function repoDir(cacheDir: string, id: string): string {
  return path.join(cacheDir, getRepoFolderName({ name: id, type: 'model' }));
}

export function snapshotDir(cacheDir: string, id: string, commit: string): string {
  return path.join(repoDir(cacheDir, id), 'snapshots', commit);
}

/** The commit refs/{revision} holds (a commit hash is its own), or undefined. */
export function resolveCachedRevision(cacheDir: string, ref: HubModelRef): string | undefined {
  if (isCommitHash(ref.revision)) return ref.revision;
  try {
    const commit = fs.readFileSync(path.join(repoDir(cacheDir, ref.id), 'refs', ref.revision), 'utf8').trim();
    return isCommitHash(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

/** The snapshot of `ref` when the cache holds one the engine can read (config.json and all the weights), else undefined. */
export function findCachedModel(cacheDir: string, ref: HubModelRef): CachedSnapshot | undefined {
  const commit = resolveCachedRevision(cacheDir, ref);
  if (!commit) return undefined;
  const folder = snapshotDir(cacheDir, ref.id, commit);
  return snapshotHasModel(folder) ? { id: ref.id, commit, folder } : undefined;
}

/** A file, after links: a link whose blob is gone is no file. */
function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Whether `folder` holds config.json and the weights: model.safetensors, or the shard index and
 * every shard it names. A download that stopped half-way leaves a snapshot without them.
 */
export function snapshotHasModel(folder: string): boolean {
  if (!isFile(path.join(folder, CONFIG_FILE))) return false;
  if (isFile(path.join(folder, WEIGHTS_FILE))) return true;
  const index = path.join(folder, SHARD_INDEX_FILE);
  if (!isFile(index)) return false;
  try {
    if (fs.statSync(index).size > 16 * 1024 * 1024) return false;
    return parseShardIndex(fs.readFileSync(index, 'utf8'), index).shards.every((shard) => isFile(path.join(folder, shard)));
  } catch {
    return false;
  }
}

/**
 * Every model in the cache that the engine can read, one per repository: the snapshot `main`
 * points at, else the newest complete one. Scanned with @huggingface/hub's scanCacheDir; a
 * repository it cannot read is left out. No cache folder: no models.
 */
export async function listCachedModels(cacheDir: string): Promise<CachedModel[]> {
  let scanned;
  try {
    scanned = await scanCacheDir(cacheDir);
  } catch {
    return [];
  }
  const models: CachedModel[] = [];
  for (const repo of scanned.repos) {
    if (repo.id.type !== 'model') continue;
    const usable = repo.revisions
      .filter((revision) => isCommitHash(revision.commitOid) && snapshotHasModel(revision.path))
      .sort((a, b) => Number(b.refs.includes('main')) - Number(a.refs.includes('main')) || b.lastModifiedAt.getTime() - a.lastModifiedAt.getTime());
    const best = usable[0];
    if (best) models.push({ id: repo.id.name, commit: best.commitOid, folder: best.path, refs: best.refs, sizeBytes: best.size });
  }
  return models.sort((a, b) => a.id.localeCompare(b.id));
}

/** refs/{revision} = commit, as huggingface_hub writes it (no newline); nothing for a commit hash. */
export function writeRef(cacheDir: string, ref: HubModelRef, commit: string): void {
  if (isCommitHash(ref.revision)) return;
  const file = path.join(repoDir(cacheDir, ref.id), 'refs', ref.revision);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, commit);
}

export function blobPath(cacheDir: string, id: string, etag: string): string {
  return path.join(repoDir(cacheDir, id), 'blobs', etag);
}

/**
 * snapshots/{commit}/{file} pointing at the blob: a relative link (the cache can move) as
 * huggingface_hub's _create_symlink makes it, or a copy where the file system has no links.
 */
export function linkSnapshotFile(cacheDir: string, id: string, commit: string, file: string, etag: string): string {
  const target = path.join(snapshotDir(cacheDir, id, commit), file);
  const blob = blobPath(cacheDir, id, etag);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.rmSync(target, { force: true });
  try {
    fs.symlinkSync(path.relative(path.dirname(target), blob), target);
  } catch {
    fs.copyFileSync(blob, target);
  }
  return target;
}
