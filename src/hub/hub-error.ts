// What can go wrong between LLM Lens and the hub, as kinds the callers act on (a token prompt
// for 'unauthorized', a quiet stop for 'cancelled') and messages they show as they are.

export type HubErrorKind =
  /** Not a model id or revision. */
  | 'invalid-id'
  /** HF_HUB_OFFLINE is set and the cache does not have it. */
  | 'offline'
  /** The hub could not be reached (DNS, refused, TLS, proxy). */
  | 'network'
  /** 401: gated or private, and no token or one the hub refused. */
  | 'unauthorized'
  /** 403: the token cannot read it (a gated model whose terms were not accepted). */
  | 'forbidden'
  | 'not-found'
  /** 5xx or an answer that is not the hub's. */
  | 'server'
  /** A web page where a file or the hub's JSON should be (a captive portal, a proxy's login page). */
  | 'html'
  /** The bytes do not hash to what the hub said. */
  | 'integrity'
  | 'disk-full'
  /** The connection dropped mid-file: the .incomplete file stays, the next try resumes it. */
  | 'interrupted'
  | 'cancelled'
  /** The repository lacks what the engine reads, or has only pickled weights. */
  | 'repo-files'
  /** The model's config says it cannot run here (too large). */
  | 'unusable';

export class HubError extends Error {
  override readonly name = 'HubError';
  constructor(
    readonly kind: HubErrorKind,
    message: string,
    /** What the server or the system said, for the log (untrusted text). */
    readonly detail?: string,
  ) {
    super(message);
  }
}

export function isHubError(error: unknown, kind?: HubErrorKind): error is HubError {
  return error instanceof HubError && (kind === undefined || error.kind === kind);
}
