// Downloads from the hub inside VS Code: a notification with the bytes, the speed, the time left
// and a Cancel button; a gated or private model asks for a token (with a button) and tries again;
// every other failure is one clear message, and the model that was running keeps running (the
// setting changes only after a download succeeds). VS Code's fetch carries http.proxy.
import * as vscode from 'vscode';
import os from 'node:os';
import type { ModelConfig } from '../engine/types';
import { downloadModel, formatBytes, type DownloadProgress, type DownloadResult } from '../hub/download';
import { hubCacheDir, hubEndpoint, hubOffline } from '../hub/hub-env';
import { HubError, isHubError } from '../hub/hub-error';
import { formatHubModelRef, type HubModelRef } from '../hub/hub-id';
import { configJsonVerdict, extensionMemoryEstimates } from '../hub/memory-estimate';
import { readSettings } from '../config';
import { errorText, type Reporter } from '../log';
import type { HubTokens } from './hub-token';

/** Tries with a new token after a refusal at most this often, then gives up with the message. */
const TOKEN_ATTEMPTS = 3;

function duration(seconds: number): string {
  return seconds < 90 ? vscode.l10n.t('{0} s', Math.max(1, Math.round(seconds))) : vscode.l10n.t('{0} min', Math.round(seconds / 60));
}

export function progressMessage(p: DownloadProgress): string {
  const amount = vscode.l10n.t('{0} of {1}', formatBytes(p.doneBytes), formatBytes(p.totalBytes));
  if (p.bytesPerSecond <= 0 || p.secondsLeft === undefined) return amount;
  return vscode.l10n.t('{0} · {1}/s · {2} left', amount, formatBytes(p.bytesPerSecond), duration(p.secondsLeft));
}

/** Refuses, before its weights are fetched, a model whose config says it cannot run here (free memory may change before it loads: not checked here). */
function refuseUnrunnable(configJson: string, configPath: string, name: string): void {
  const least = (config: ModelConfig, stored: number) => extensionMemoryEstimates(config, stored, readSettings().weights)[0]!;
  const verdict = configJsonVerdict(configJson, configPath, name, least, { totalBytes: os.totalmem(), freeBytes: Infinity }, vscode.l10n.t);
  if (verdict.fits === 'no') throw new HubError('unusable', verdict.message);
}

export class HubDownloads {
  /** One download per model at a time: a second request joins the first. */
  private readonly running = new Map<string, Promise<DownloadResult | undefined>>();

  constructor(
    private readonly reporter: Reporter,
    private readonly tokens: HubTokens,
  ) {}

  /** The model in the cache, downloaded if needed; undefined when it was cancelled or failed (the user was told). */
  download(ref: HubModelRef): Promise<DownloadResult | undefined> {
    const key = formatHubModelRef(ref);
    let running = this.running.get(key);
    if (!running) {
      running = this.downloadWithRetries(ref).finally(() => this.running.delete(key));
      this.running.set(key, running);
    }
    return running;
  }

  private async downloadWithRetries(ref: HubModelRef): Promise<DownloadResult | undefined> {
    const name = formatHubModelRef(ref);
    let token = await this.tokens.token();
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await this.downloadOnce(ref, token);
        if (result.offlineReason) this.reporter.warn(`${name}: the hub was not asked (${result.offlineReason}); using the cached copy`);
        this.reporter.info(`${name}: ${result.fromCache ? 'in the cache' : `downloaded ${result.transferredBytes} bytes`} at ${result.folder}`);
        return result;
      } catch (error) {
        if (error instanceof HubError && error.detail) this.reporter.warn(`${name}: ${error.detail}`);
        if (isHubError(error, 'cancelled')) {
          this.reporter.inform(vscode.l10n.t('The download of {0} was cancelled. Downloading it again resumes where it stopped.', name));
          return undefined;
        }
        if ((isHubError(error, 'unauthorized') || isHubError(error, 'forbidden')) && attempt < TOKEN_ATTEMPTS) {
          const enter = vscode.l10n.t('Enter Token');
          if ((await this.reporter.errorWithActions(error.message, enter)) !== enter) return undefined;
          token = await this.tokens.ask(vscode.l10n.t('{0} is gated or private.', name));
          if (!token) return undefined;
          continue;
        }
        this.reporter.error(vscode.l10n.t('Could not download {0}: {1}', name, errorText(error)));
        return undefined;
      }
    }
  }

  private downloadOnce(ref: HubModelRef, token: string | undefined): Thenable<DownloadResult> {
    const name = formatHubModelRef(ref);
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('LLM Lens: downloading {0}', name), cancellable: true },
      async (progress, cancellation) => {
        const abort = new AbortController();
        const cancelled = cancellation.onCancellationRequested(() => abort.abort());
        let reported = 0;
        try {
          return await downloadModel({
            ref,
            cacheDir: hubCacheDir(),
            endpoint: hubEndpoint(),
            token,
            offline: hubOffline(),
            signal: abort.signal,
            localize: vscode.l10n.t,
            checkConfig: (json, configPath) => refuseUnrunnable(json, configPath, name),
            onProgress: (p) => {
              const percent = p.totalBytes > 0 ? (100 * p.doneBytes) / p.totalBytes : 0;
              progress.report({ increment: Math.max(0, percent - reported), message: progressMessage(p) });
              reported = Math.max(reported, percent);
            },
          });
        } finally {
          cancelled.dispose();
        }
      },
    );
  }
}
