// A model from the hub into the cache: what the engine reads (repo-files.ts) at one commit, each
// file once (a blob the cache already has is linked, not fetched), config.json first so that a
// model that cannot run here is refused before its weights are fetched, free space checked
// before any weights are written. Offline (HF_HUB_OFFLINE) or when the hub cannot be reached,
// the cached snapshot is used. Used by the extension and the CLI alike.
import fs from 'node:fs';
import path from 'node:path';
import { MAX_CONFIG_BYTES, MAX_WEIGHTS_BYTES } from '../engine/checkpoint';
import { MAX_TOKENIZER_BYTES } from '../engine/model-tokenizer';
import { SHARD_INDEX_FILE, parseShardIndex } from '../engine/weight-files';
import { english } from '../localize';
import { partialBytes, transferBlob } from './blob-transfer';
import { blobPath, CONFIG_FILE, findCachedModel, linkSnapshotFile, snapshotDir, snapshotHasModel, writeRef, type CachedSnapshot } from './cache';
import { HubError } from './hub-error';
import { fetchFileMetadata, fetchRepoInfo, type FileMetadata, type HubConnection } from './hub-http';
import { hubIdProblem, revisionProblem, type HubModelRef } from './hub-id';
import { planRepoFiles, RepoFilesError } from './repo-files';
import { RateMeter } from './rate-meter';

/** Progress of the weights and tokenizer files, together (config.json and a shard index come first, unreported: they are small). */
export interface DownloadProgress {
  /** The file being fetched. */
  file: string;
  /** Bytes of all the files to fetch that are on disk (a resumed file counts from where it stopped). */
  doneBytes: number;
  totalBytes: number;
  /** Over the last seconds; 0 until bytes arrive. */
  bytesPerSecond: number;
  /** At that speed; undefined until it is known. */
  secondsLeft?: number;
}

export interface DownloadOptions extends HubConnection {
  ref: HubModelRef;
  cacheDir: string;
  /** HF_HUB_OFFLINE: the cache only. */
  offline?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Called with config.json before any weights are fetched; throw to stop (e.g. the model would not fit in memory). */
  checkConfig?: (configJson: string, configPath: string) => void | Promise<void>;
  /** Free bytes on the disk holding `dir` (default: statfs). */
  freeBytes?: (dir: string) => Promise<number>;
}

export interface DownloadResult extends CachedSnapshot {
  /** Bytes that came over the network in this call. */
  transferredBytes: number;
  /** The files in the snapshot folder (what LLM Lens fetched, and whatever else another tool put there). */
  files: string[];
  /** Nothing was fetched: the cache had it all. */
  fromCache: boolean;
  /** Why the hub was not asked (offline) or could not be (the cached copy was used). */
  offlineReason?: string;
}

/**
 * The most LLM Lens reads of each kind of file (the loaders' limits): a larger one is refused
 * before it is downloaded, so a hostile or broken server cannot fill the disk or the memory.
 */
function maxBytesOf(file: string): number {
  if (file.endsWith('.safetensors')) return MAX_WEIGHTS_BYTES;
  if (file === SHARD_INDEX_FILE) return 16 * MAX_CONFIG_BYTES;
  if (file.startsWith('tokenizer')) return MAX_TOKENIZER_BYTES;
  return MAX_CONFIG_BYTES;
}

/** Progress events at most this often (a file arrives in thousands of chunks). */
const PROGRESS_INTERVAL_MS = 100;

async function statfsFree(dir: string): Promise<number> {
  const stats = await fs.promises.statfs(dir);
  return stats.bavail * stats.bsize;
}

/** The snapshot of `ref` in the cache, fetching whatever it lacks. */
export async function downloadModel(options: DownloadOptions): Promise<DownloadResult> {
  const localize = options.localize ?? english;
  const { ref, cacheDir } = options;
  const invalid = hubIdProblem(ref.id, localize) ?? revisionProblem(ref.revision, localize);
  if (invalid) throw new HubError('invalid-id', invalid);
  const cached = () => findCachedModel(cacheDir, ref);
  if (options.offline) {
    const found = cached();
    if (found) return { ...found, transferredBytes: 0, files: snapshotFiles(found.folder), fromCache: true, offlineReason: 'HF_HUB_OFFLINE' };
    throw new HubError('offline', localize('HF_HUB_OFFLINE is set and {0} is not in the Hugging Face cache ({1}): unset it to download the model', ref.id, cacheDir));
  }

  let info;
  try {
    info = await fetchRepoInfo(options, ref.id, ref.revision, options.signal);
  } catch (error) {
    // huggingface_hub's rule: when the hub cannot be reached, a cached copy is used.
    const found = error instanceof HubError && error.kind === 'network' ? cached() : undefined;
    if (found) return { ...found, transferredBytes: 0, files: snapshotFiles(found.folder), fromCache: true, offlineReason: error instanceof Error ? error.message : String(error) };
    throw error;
  }
  const { commit } = info;
  let plan;
  try {
    plan = planRepoFiles(ref.id, info.files, localize);
  } catch (error) {
    if (error instanceof RepoFilesError) throw new HubError('repo-files', error.message);
    throw error;
  }
  const folder = snapshotDir(cacheDir, ref.id, commit);
  if (snapshotHasModel(folder) && plan.files.every((file) => isFile(path.join(folder, file)))) {
    writeRef(cacheDir, ref, commit);
    return { id: ref.id, commit, folder, transferredBytes: 0, files: snapshotFiles(folder), fromCache: true };
  }

  const session = new DownloadSession(options, commit);
  // config.json (and the shard index) first, with no progress of their own (they are small): they
  // decide what else is needed, and whether it can run.
  await session.fetchFiles([CONFIG_FILE], false);
  const configPath = path.join(folder, CONFIG_FILE);
  await options.checkConfig?.(fs.readFileSync(configPath, 'utf8'), configPath);
  let rest = plan.files.filter((file) => file !== CONFIG_FILE);
  if (plan.sharded) {
    await session.fetchFiles([SHARD_INDEX_FILE], false);
    const indexPath = path.join(folder, SHARD_INDEX_FILE);
    let shards: string[];
    try {
      shards = parseShardIndex(fs.readFileSync(indexPath, 'utf8'), indexPath).shards;
    } catch (error) {
      throw new HubError('repo-files', error instanceof Error ? error.message : String(error));
    }
    rest = [...rest.filter((file) => file !== SHARD_INDEX_FILE), ...shards];
  }
  await session.fetchFiles(rest, true);
  writeRef(cacheDir, ref, commit);
  return { id: ref.id, commit, folder, transferredBytes: session.transferred, files: snapshotFiles(folder), fromCache: session.transferred === 0 };
}

function isFile(file: string): boolean {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function snapshotFiles(folder: string): string[] {
  try {
    return fs.readdirSync(folder).filter((name) => isFile(path.join(folder, name))).sort();
  } catch {
    return [];
  }
}

/** Files of one commit into the cache, with one progress stream across them. */
class DownloadSession {
  transferred = 0;
  private readonly meter = new RateMeter();
  private lastReport = 0;

  constructor(
    private readonly options: DownloadOptions,
    private readonly commit: string,
  ) {}

  /** Each file's metadata first (sizes, for the progress and the disk check), then the bytes of those the cache lacks. */
  async fetchFiles(files: readonly string[], withProgress: boolean): Promise<void> {
    const { ref, cacheDir, signal } = this.options;
    const localize = this.options.localize ?? english;
    const folder = snapshotDir(cacheDir, ref.id, this.commit);
    const needed: { file: string; meta: FileMetadata; blob: string }[] = [];
    for (const file of files) {
      if (isFile(path.join(folder, file))) continue;
      // By commit, so that every file comes from the commit the file list came from.
      const meta = await fetchFileMetadata(this.options, ref.id, this.commit, file, signal);
      if (meta.size > maxBytesOf(file)) {
        throw new HubError('repo-files', localize('{0} of {1} is {2} bytes, more than the {3} LLM Lens reads from it', file, ref.id, meta.size.toLocaleString('en-US'), maxBytesOf(file).toLocaleString('en-US')));
      }
      const blob = blobPath(cacheDir, ref.id, meta.etag);
      if (isFile(blob)) linkSnapshotFile(cacheDir, ref.id, this.commit, file, meta.etag);
      else needed.push({ file, meta, blob });
    }
    if (needed.length === 0) return;
    const total = needed.reduce((sum, n) => sum + n.meta.size, 0);
    const onDisk = needed.reduce((sum, n) => sum + Math.min(partialBytes(n.blob), n.meta.size), 0);
    const free = await (this.options.freeBytes ?? statfsFree)(path.dirname(needed[0]!.blob)).catch(() => Infinity);
    if (total - onDisk > free) {
      throw new HubError(
        'disk-full',
        localize('Not enough disk space for {0}: it needs {1} more, and {2} is free where the Hugging Face cache is ({3})', ref.id, formatBytes(total - onDisk), formatBytes(free), cacheDir),
      );
    }
    let done = onDisk;
    const report = (file: string, bytes: number, always: boolean) => withProgress && this.report(file, bytes, total, always);
    for (const { file, meta, blob } of needed) {
      report(file, done, true);
      await transferBlob({
        hub: this.options,
        id: ref.id,
        file,
        meta,
        blob,
        signal,
        onBytes: (received) => {
          done += received;
          this.transferred += received;
          this.meter.add(received);
          report(file, done, false);
        },
      });
      linkSnapshotFile(cacheDir, ref.id, this.commit, file, meta.etag);
    }
    report(needed.at(-1)!.file, total, true);
  }

  private report(file: string, doneBytes: number, totalBytes: number, always: boolean): void {
    const now = Date.now();
    if (!this.options.onProgress || (!always && now - this.lastReport < PROGRESS_INTERVAL_MS)) return;
    this.lastReport = now;
    const bytesPerSecond = this.meter.rate();
    this.options.onProgress({
      file,
      doneBytes,
      totalBytes,
      bytesPerSecond,
      ...(bytesPerSecond > 0 ? { secondsLeft: (totalBytes - doneBytes) / bytesPerSecond } : {}),
    });
  }
}

/** 1.5 GB, 548 MB, 12 kB: decimal units, as the hub shows sizes. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '∞';
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
