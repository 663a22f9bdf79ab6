// Names on the Hugging Face hub: a model id ("gpt2", "Qwen/Qwen3-0.6B") and a revision (a branch,
// a tag or a commit). Checked here, before any of it reaches a URL or a path in the cache: an id
// becomes the folder name models--{org}--{name}, a revision the file refs/{revision}. Pure.
import { english, type Localize } from '../localize';

/** huggingface_hub's validate_repo_id, in ASCII: [org/]name, each part 1-96 of [A-Za-z0-9_.-], not starting or ending with '-' or '.', no "--" or "..". */
const PART = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$/;
const COMMIT = /^[0-9a-f]{40}$/;
/** Branch and tag names as git allows them, narrowed: no "..", no leading '/', '.' or '-'. */
const REVISION = /^[A-Za-z0-9_][A-Za-z0-9_./-]{0,254}$/;

export const DEFAULT_REVISION = 'main';

export interface HubModelRef {
  id: string;
  revision: string;
}

/** Why `id` is not a model id, or undefined when it is one. */
export function hubIdProblem(id: string, localize: Localize = english): string | undefined {
  const parts = id.split('/');
  if (parts.length > 2 || !parts.every((part) => PART.test(part)) || id.includes('--') || id.includes('..')) {
    return localize('"{0}" is not a Hugging Face model id: an id is a name or organisation/name, of letters, digits, "-", "_" and "." (e.g. openai-community/gpt2)', id);
  }
  return undefined;
}

export function isHubId(id: string): boolean {
  return hubIdProblem(id) === undefined;
}

export function isCommitHash(revision: string): boolean {
  return COMMIT.test(revision);
}

/** Why `revision` is not one the cache can hold, or undefined. */
export function revisionProblem(revision: string, localize: Localize = english): string | undefined {
  if (!REVISION.test(revision) || revision.includes('..') || revision.endsWith('/') || revision.includes('//')) {
    return localize('"{0}" is not a revision: use a branch, a tag or a 40-character commit hash', revision);
  }
  return undefined;
}

/**
 * Whether a model setting or option is written as a path (absolute, ~, ./ or ../, a backslash, a
 * drive letter) rather than a model id: such a value is always a folder.
 */
export function looksLikePath(text: string): boolean {
  return /^(?:[/~.]|[A-Za-z]:)/.test(text) || text.includes('\\');
}

/** "org/name" or "org/name@revision" as written in a setting; undefined when it is neither. */
export function parseHubModelRef(text: string): HubModelRef | undefined {
  const at = text.indexOf('@');
  const id = at === -1 ? text : text.slice(0, at);
  const revision = at === -1 ? DEFAULT_REVISION : text.slice(at + 1);
  if (!isHubId(id) || revisionProblem(revision)) return undefined;
  return { id, revision };
}

/** How a reference is written back: the revision only when it is not the default. */
export function formatHubModelRef(ref: HubModelRef): string {
  return ref.revision === DEFAULT_REVISION ? ref.id : `${ref.id}@${ref.revision}`;
}
