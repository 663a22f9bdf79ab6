// A hub model id on the command line (`download ID`, `--model ID`): the snapshot in the Hugging
// Face cache, downloaded first unless HF_HUB_OFFLINE is set. Progress goes to stderr, on a
// terminal only, so that stdout stays JSON and a script's stderr stays quiet.
import os from 'node:os';
import { downloadModel, formatBytes, type DownloadProgress, type DownloadResult } from '../hub/download';
import { environmentToken, hubCacheDir, hubEndpoint, hubOffline } from '../hub/hub-env';
import { HubError } from '../hub/hub-error';
import type { HubModelRef } from '../hub/hub-id';
import { configJsonVerdict, estimateMemory } from '../hub/memory-estimate';
import { CliError } from './errors';

/** The machine's memory now, for the memory estimate. */
export function machineMemory(): { totalBytes: number; freeBytes: number } {
  return { totalBytes: os.totalmem(), freeBytes: os.freemem() };
}

/** Refuses a config whose model could never run here, before its weights are downloaded. */
function refuseUnrunnable(configJson: string, configPath: string, name: string): void {
  const verdict = configJsonVerdict(configJson, configPath, name, (config, stored) => estimateMemory(config, stored, 1, false), machineMemory());
  if (verdict.fits === 'no') throw new HubError('unusable', verdict.message);
}

function progressLine(p: DownloadProgress): string {
  const left = p.secondsLeft === undefined ? '' : `, ${Math.ceil(p.secondsLeft)} s left`;
  const speed = p.bytesPerSecond > 0 ? `, ${formatBytes(p.bytesPerSecond)}/s` : '';
  return `llm-lens: ${p.file}: ${formatBytes(p.doneBytes)} of ${formatBytes(p.totalBytes)}${speed}${left}`;
}

/** The cached snapshot of `ref`, downloaded if needed; a HubError becomes the CLI's one-line failure. */
export async function hubModel(ref: HubModelRef): Promise<DownloadResult> {
  const tty = process.stderr.isTTY === true;
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once('SIGINT', stop);
  try {
    const result = await downloadModel({
      ref,
      cacheDir: hubCacheDir(),
      endpoint: hubEndpoint(),
      token: environmentToken(),
      offline: hubOffline(),
      signal: abort.signal,
      onProgress: tty ? (p) => process.stderr.write(`\r${progressLine(p)}\x1b[K`) : undefined,
      checkConfig: (json, configPath) => refuseUnrunnable(json, configPath, ref.id),
    });
    if (tty && result.transferredBytes > 0) process.stderr.write('\n');
    return result;
  } catch (error) {
    if (tty) process.stderr.write('\n');
    if (error instanceof HubError) throw new CliError(error.message);
    throw error;
  } finally {
    process.off('SIGINT', stop);
  }
}
