// Where the hub is and what the user told huggingface_hub through the environment, read the way
// huggingface_hub reads it, so that LLM Lens and Python share one cache, one token and one
// offline switch. Read at each use (never cached), so a changed environment takes effect at once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getHFHubCachePath } from '@huggingface/hub';

export const DEFAULT_ENDPOINT = 'https://huggingface.co';

type Env = Readonly<Record<string, string | undefined>>;

/** HF_ENDPOINT without a trailing slash, else huggingface.co. */
export function hubEndpoint(env: Env = process.env): string {
  const value = env.HF_ENDPOINT?.trim();
  return value ? value.replace(/\/+$/, '') : DEFAULT_ENDPOINT;
}

/**
 * The hub cache: HF_HUB_CACHE, else HUGGINGFACE_HUB_CACHE, else HF_HOME/hub, else
 * $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub (@huggingface/hub's
 * getHFHubCachePath, which follows huggingface_hub's constants.py). `~` is expanded as Python does.
 */
export function hubCacheDir(): string {
  return expandHome(getHFHubCachePath());
}

/** HF_HUB_OFFLINE as huggingface_hub reads a boolean: 1, ON, YES or TRUE, in any case. */
export function hubOffline(env: Env = process.env): boolean {
  return ['1', 'on', 'yes', 'true'].includes((env.HF_HUB_OFFLINE ?? '').trim().toLowerCase());
}

/** HF_HOME, else $XDG_CACHE_HOME/huggingface, else ~/.cache/huggingface: where `hf auth login` keeps its token. */
function hfHome(env: Env): string {
  return expandHome(env.HF_HOME || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'huggingface'));
}

/** The token file `huggingface-cli login` (`hf auth login`) writes: HF_TOKEN_PATH, else HF_HOME/token. */
export function tokenFilePath(env: Env = process.env): string {
  return expandHome(env.HF_TOKEN_PATH || path.join(hfHome(env), 'token'));
}

/**
 * The token from the environment, as huggingface_hub's get_token: HF_TOKEN (or the older
 * HUGGING_FACE_HUB_TOKEN), else the token file; undefined when there is none. Never logged.
 */
export function environmentToken(env: Env = process.env): string | undefined {
  const fromEnv = (env.HF_TOKEN ?? env.HUGGING_FACE_HUB_TOKEN)?.trim();
  if (fromEnv) return fromEnv;
  try {
    const stat = fs.statSync(tokenFilePath(env));
    // A token is a line; anything else there (a folder, a FIFO, a huge file) is not one.
    if (!stat.isFile() || stat.size > 4096) return undefined;
    return fs.readFileSync(tokenFilePath(env), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function expandHome(p: string): string {
  return p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
}

export interface HubTimeouts {
  /** The file list and each file's metadata: HF_HUB_ETAG_TIMEOUT seconds (default 10), as huggingface_hub. */
  metadataMs: number;
  /** A download with no bytes for this long is cut: HF_HUB_DOWNLOAD_TIMEOUT seconds (default 10), as huggingface_hub. */
  stallMs: number;
}

export function hubTimeouts(env: Env = process.env): HubTimeouts {
  const seconds = (value: string | undefined, fallback: number) => {
    const parsed = Number(value);
    return value !== undefined && value.trim() !== '' && Number.isFinite(parsed) && parsed > 0 ? parsed : fallback;
  };
  return { metadataMs: 1000 * seconds(env.HF_HUB_ETAG_TIMEOUT, 10), stallMs: 1000 * seconds(env.HF_HUB_DOWNLOAD_TIMEOUT, 10) };
}
