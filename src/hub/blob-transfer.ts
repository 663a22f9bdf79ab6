// One file's bytes into the cache: written to blobs/{etag}.incomplete, resumed from there with a
// Range request when an earlier transfer was cut (by the network, a cancel or VS Code closing),
// hashed on the way, and renamed to blobs/{etag} only when the hash is the one the hub gave: an
// LFS file's sha256, a git file's sha1 (of "blob {size}\0" and the bytes, as git hashes it).
// A file that does not match is deleted, never cached.
import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { english } from '../localize';
import { HubError } from './hub-error';
import { htmlError, networkError, requestHeaders, statusError, timeoutsOf, type FileMetadata, type HubConnection } from './hub-http';

export interface BlobTransfer {
  hub: HubConnection;
  id: string;
  file: string;
  meta: FileMetadata;
  /** blobs/{etag} */
  blob: string;
  signal?: AbortSignal;
  onBytes?: (received: number) => void;
}

export function incompletePath(blob: string): string {
  return `${blob}.incomplete`;
}

/** Bytes already in the file's .incomplete (0 when there is none). */
export function partialBytes(blob: string): number {
  try {
    const stat = fs.statSync(incompletePath(blob));
    return stat.isFile() ? stat.size : 0;
  } catch {
    return 0;
  }
}

function hasherFor(meta: FileMetadata): Hash {
  if (meta.etag.length === 64) return createHash('sha256');
  const hash = createHash('sha1');
  hash.update(`blob ${meta.size}\0`);
  return hash;
}

async function hashExisting(hash: Hash, file: string, bytes: number): Promise<void> {
  if (bytes === 0) return;
  for await (const chunk of fs.createReadStream(file, { start: 0, end: bytes - 1 })) hash.update(chunk as Uint8Array);
}

/** Fetches the file into blobs/{etag}; resolves once it is there and verified. */
export async function transferBlob(job: BlobTransfer): Promise<void> {
  const { meta, blob } = job;
  fs.mkdirSync(path.dirname(blob), { recursive: true });
  let offset = partialBytes(blob);
  if (offset > meta.size) {
    fs.rmSync(incompletePath(blob), { force: true });
    offset = 0;
  }
  // What is on disk is hashed first: reading a large partial file takes a while, and no
  // connection should wait on it.
  const hash = hasherFor(meta);
  await hashExisting(hash, incompletePath(blob), offset);
  // No bytes for stallMs (a dead connection, a proxy that holds it open): cut, to be resumed.
  const stalled = new AbortController();
  const { stallMs } = timeoutsOf(job.hub);
  let stallTimer = setTimeout(() => stalled.abort(), stallMs);
  const alive = () => {
    clearTimeout(stallTimer);
    stallTimer = setTimeout(() => stalled.abort(), stallMs);
  };
  try {
    await transferBody(job, offset, hash, stalled.signal, alive);
  } finally {
    clearTimeout(stallTimer);
  }
}

/** The bytes from `start` on, appended to the .incomplete file (whose first `start` bytes `hash` has seen), then verified and renamed. */
async function transferBody(job: BlobTransfer, start: number, startHash: Hash, stalled: AbortSignal, alive: () => void): Promise<void> {
  const { hub, meta, blob, signal } = job;
  const localize = hub.localize ?? english;
  const incomplete = incompletePath(blob);
  let offset = start;
  let hash = startHash;
  let response: Response | undefined;
  if (offset < meta.size) {
    try {
      const both = signal ? AbortSignal.any([signal, stalled]) : stalled;
      response = await (hub.fetch ?? fetch)(meta.url, { signal: both, headers: requestHeaders(hub, meta.url, offset > 0 ? { Range: `bytes=${offset}-` } : {}) });
    } catch (error) {
      throw stalled.aborted ? transferError(job, stalledError(job), offset) : networkError(hub, error, signal);
    }
    if (response.status === 416 && offset === meta.size) response = undefined;
    else if (response.status >= 400) throw statusError(hub, job.id, response.status, undefined, job.file);
    else if (/^\s*text\/html/i.test(response.headers.get('content-type') ?? '')) throw htmlError(hub, new URL(meta.url).origin);
    else if (response.status !== 206) {
      // The server sent the whole file: start again.
      offset = 0;
      hash = hasherFor(meta);
    } else if (!response.headers.get('content-range')?.startsWith(`bytes ${offset}-`)) {
      throw new HubError('server', localize('The server answered a request for {0} from byte {1} with other bytes ({2})', job.file, offset, response.headers.get('content-range') ?? '—'));
    }
  }
  let written = offset;
  if (response?.body) {
    const out = await fs.promises.open(incomplete, offset > 0 ? 'a' : 'w');
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        if (written + chunk.length > meta.size) throw integrityError(job, localize('the server sent more than its {0} bytes', meta.size));
        alive();
        await out.write(chunk);
        hash.update(chunk);
        written += chunk.length;
        job.onBytes?.(chunk.length);
      }
    } catch (error) {
      if (error instanceof HubError) throw error;
      throw transferError(job, stalled.aborted ? stalledError(job) : error, written);
    } finally {
      await out.close();
    }
  }
  if (written < meta.size) throw transferError(job, new Error(localize('the connection closed early')), written);
  const digest = hash.digest('hex');
  if (digest !== meta.etag) {
    fs.rmSync(incomplete, { force: true });
    throw integrityError(job, localize('its {0} is {1}, the hub said {2}', meta.etag.length === 64 ? 'sha256' : 'git sha1', digest, meta.etag));
  }
  fs.renameSync(incomplete, blob);
}

function stalledError(job: BlobTransfer): Error {
  const localize = job.hub.localize ?? english;
  return new Error(localize('no data for {0} s', timeoutsOf(job.hub).stallMs / 1000));
}

function integrityError(job: BlobTransfer, why: string): HubError {
  const localize = job.hub.localize ?? english;
  fs.rmSync(incompletePath(job.blob), { force: true });
  return new HubError('integrity', localize('{0} of {1} arrived corrupted ({2}): it was deleted and not cached. Try again', job.file, job.id, why));
}

/** What stopped a transfer that had started: a cancel, a full disk, or the network. */
function transferError(job: BlobTransfer, error: unknown, written: number): HubError {
  const { hub, signal, meta } = job;
  const localize = hub.localize ?? english;
  if (signal?.aborted) return networkError(hub, error, signal);
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new HubError('disk-full', localize('The disk is full: {0} stopped at {1} of {2} bytes. Free some space and try again: the download resumes where it stopped', job.file, written.toLocaleString('en-US'), meta.size.toLocaleString('en-US')));
  }
  const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  return new HubError(
    'interrupted',
    localize('The download of {0} was interrupted at {1} of {2} bytes ({3}). Try again: it resumes where it stopped', job.file, written.toLocaleString('en-US'), meta.size.toLocaleString('en-US'), cause),
    cause,
  );
}
