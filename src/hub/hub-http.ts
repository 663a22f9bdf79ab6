// The hub's HTTP interface, as huggingface_hub speaks it:
//   GET  /api/models/{id}/revision/{rev}     the commit and the file list (@huggingface/hub's modelInfo)
//   HEAD /{id}/resolve/{rev}/{file}           X-Repo-Commit, X-Linked-Etag (an LFS file's sha256) or
//                                             ETag (a git file's sha1), X-Linked-Size or Content-Length;
//                                             an LFS file redirects to its download URL (Location)
//   GET  {download URL} with Range: bytes=N-  the bytes, from where a cut download stopped
// The token goes only to the hub's own origin, never to the host a file redirects to.
import { HubApiError, modelInfo } from '@huggingface/hub';
import { english, type Localize } from '../localize';
import { hubTimeouts, type HubTimeouts } from './hub-env';
import { HubError } from './hub-error';
import { isCommitHash } from './hub-id';

export interface HubConnection {
  /** HF_ENDPOINT or https://huggingface.co, no trailing slash. */
  endpoint: string;
  token?: string;
  /** VS Code's fetch in the extension host (it applies http.proxy); Node's elsewhere. */
  fetch?: typeof fetch;
  localize?: Localize;
  /** Default: huggingface_hub's environment variables (hubTimeouts). */
  timeouts?: HubTimeouts;
}

export function timeoutsOf(hub: HubConnection): HubTimeouts {
  return hub.timeouts ?? hubTimeouts();
}

/** The user's signal (Cancel) and a timeout together. */
export function withTimeout(signal: AbortSignal | undefined, ms: number): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

export interface RepoInfo {
  commit: string;
  /** Every file path in the repository. */
  files: string[];
}

export interface FileMetadata {
  /** The blob's name in the cache: an LFS file's sha256 (64 hex) or a git file's sha1 (40 hex). */
  etag: string;
  size: number;
  commit: string;
  /** Where its bytes are (the resolve URL itself, or where an LFS file redirects). */
  url: string;
}

const USER_AGENT = 'llm-lens (huggingface_hub-compatible cache)';
const MAX_RELATIVE_REDIRECTS = 5;
/** The hub's Content-Type for a web page; never a model file's. */
const HTML = /^\s*text\/html/i;

function fetchOf(hub: HubConnection): typeof fetch {
  return hub.fetch ?? globalThis.fetch;
}

/** Headers for a request to `url`: the token only on the hub's own origin. */
export function requestHeaders(hub: HubConnection, url: string, extra: Record<string, string> = {}): Record<string, string> {
  const sameOrigin = new URL(url).origin === new URL(hub.endpoint).origin;
  return { 'User-Agent': USER_AGENT, ...(hub.token && sameOrigin ? { Authorization: `Bearer ${hub.token}` } : {}), ...extra };
}

/** The hub's 401/403/404 and others as a HubError that says what the user can do. */
export function statusError(hub: HubConnection, id: string, status: number, detail?: string, file?: string): HubError {
  const localize = hub.localize ?? english;
  if (status === 401) {
    return new HubError(
      'unauthorized',
      hub.token
        ? localize('The hub refused the token for {0}: it is gated or private, and this token cannot read it. Check the token, or that you accepted the model\'s terms on its page', id)
        : localize('{0} is gated or private: the hub wants a Hugging Face access token to download it', id),
      detail,
    );
  }
  if (status === 403) return new HubError('forbidden', localize('The token cannot read {0}: the model is gated; accept its terms on its page on the hub, then try again', id), detail);
  if (status === 404) {
    return file
      ? new HubError('not-found', localize('{0} has no file {1} at this revision', id, file), detail)
      : new HubError('not-found', localize('{0} was not found on the hub (or the revision does not exist)', id), detail);
  }
  return new HubError('server', localize('The hub answered HTTP {0} for {1}', status, id), detail);
}

/**
 * A fetch that failed before any answer (DNS, refused, TLS, proxy, no answer in time), as a
 * HubError; the user's abort (`signal`) as 'cancelled'.
 */
export function networkError(hub: HubConnection, error: unknown, signal?: AbortSignal): HubError {
  const localize = hub.localize ?? english;
  if (signal?.aborted) return new HubError('cancelled', localize('The download was cancelled'));
  if (error instanceof Error && error.name === 'TimeoutError') {
    return new HubError('network', localize('{0} did not answer within {1} s', hub.endpoint, timeoutsOf(hub).metadataMs / 1000));
  }
  const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  return new HubError('network', localize('Cannot reach {0}: {1}', hub.endpoint, cause), cause);
}

/** The commit of `revision` and the repository's files (GET /api/models/{id}/revision/{revision}, through @huggingface/hub's modelInfo). */
export async function fetchRepoInfo(hub: HubConnection, id: string, revision: string, signal?: AbortSignal): Promise<RepoInfo> {
  const localize = hub.localize ?? english;
  let errorCode: string | null = null;
  const authed = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input instanceof Request ? input.url : input);
    const response = await fetchOf(hub)(url, { ...init, signal: withTimeout(signal, timeoutsOf(hub).metadataMs), headers: { ...(init?.headers as Record<string, string>), ...requestHeaders(hub, url) } });
    errorCode = response.headers.get('x-error-code');
    return response;
  };
  let info: { sha?: unknown; filePaths?: unknown };
  try {
    info = await modelInfo({ name: id, revision, hubUrl: hub.endpoint, fetch: authed as typeof fetch, additionalFields: ['sha', 'filePaths'] });
  } catch (error) {
    if (error instanceof HubApiError) {
      const message = error.data?.message ?? error.data?.error;
      const detail = typeof message === 'string' ? message.slice(0, 500) : error.message;
      if (/<html|<!doctype/i.test(detail)) throw htmlError(hub, hub.endpoint, detail);
      // The hub tells an anonymous client "401 RepoNotFound" for a repository that does not exist.
      if (error.statusCode === 401 && errorCode === 'RepoNotFound' && !hub.token) {
        throw new HubError('not-found', localize('{0} was not found on the hub. If it is a private repository, set a Hugging Face token and try again', id), detail);
      }
      throw statusError(hub, id, error.statusCode, detail);
    }
    // modelInfo parses the body as JSON: a web page where the JSON should be.
    if (error instanceof SyntaxError) throw htmlError(hub, hub.endpoint, error.message);
    throw networkError(hub, error, signal);
  }
  const files = Array.isArray(info.filePaths) ? info.filePaths.filter((f): f is string => typeof f === 'string') : undefined;
  if (typeof info.sha !== 'string' || !isCommitHash(info.sha) || !files) {
    throw new HubError('server', localize('{0} did not answer as the Hugging Face hub does (no commit or file list for {1})', hub.endpoint, id));
  }
  return { commit: info.sha, files };
}

export function htmlError(hub: HubConnection, where: string, detail?: string): HubError {
  const localize = hub.localize ?? english;
  return new HubError('html', localize('{0} answered with a web page instead of a file: is a proxy or a login page (captive portal) in the way?', where), detail);
}

/** huggingface_hub's _normalize_etag: no weak prefix, no quotes. */
function normalizeEtag(etag: string | null): string | undefined {
  return etag?.replace(/^W\//, '').replace(/^"|"$/g, '') || undefined;
}

/** HEAD of a file: its hash, size, commit and download URL. Relative redirects (a renamed repository) are followed; an absolute one is the download URL. */
export async function fetchFileMetadata(hub: HubConnection, id: string, revision: string, file: string, signal?: AbortSignal): Promise<FileMetadata> {
  const localize = hub.localize ?? english;
  let url = `${hub.endpoint}/${id}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
  for (let redirects = 0; ; redirects++) {
    let response: Response;
    try {
      // identity: a compressed answer's Content-Length is not the file's size.
      response = await fetchOf(hub)(url, { method: 'HEAD', redirect: 'manual', signal: withTimeout(signal, timeoutsOf(hub).metadataMs), headers: requestHeaders(hub, url, { 'Accept-Encoding': 'identity' }) });
    } catch (error) {
      throw networkError(hub, error, signal);
    }
    const location = response.headers.get('location');
    const relative = location !== null && !/^[a-z][a-z0-9+.-]*:/i.test(location);
    if (response.status >= 300 && response.status < 400 && relative && redirects < MAX_RELATIVE_REDIRECTS) {
      url = new URL(location, url).href;
      continue;
    }
    if (response.status >= 400) throw statusError(hub, id, response.status, undefined, file);
    if (HTML.test(response.headers.get('content-type') ?? '')) throw htmlError(hub, url);
    const etag = normalizeEtag(response.headers.get('x-linked-etag') ?? response.headers.get('etag'));
    const size = Number(response.headers.get('x-linked-size') ?? response.headers.get('content-length') ?? NaN);
    const commit = response.headers.get('x-repo-commit') ?? '';
    if (!etag || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(etag) || !Number.isSafeInteger(size) || size < 0 || !isCommitHash(commit)) {
      throw new HubError('server', localize('{0} did not say the hash, size and commit of {1} as the hub does', hub.endpoint, file));
    }
    const downloadUrl = response.status >= 300 && response.status < 400 && location ? new URL(location, url).href : url;
    return { etag, size, commit, url: downloadUrl };
  }
}
