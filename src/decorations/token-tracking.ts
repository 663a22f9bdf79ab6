// Keeps decorated tokens on the text they describe while the user edits. Pure (offsets and
// change records, no vscode) so that it is testable alone.
//
// Policy: an edit before a token shifts it; an edit after it leaves it; an edit that touches
// a token removes it (its boundaries and its probability no longer describe the text). When
// no token is left the analysis is beyond repair and the caller clears everything.

export interface TokenScoreValue {
  logprob: number;
  rank: number;
}

export interface TrackedToken {
  /** Document offsets (UTF-16). */
  start: number;
  end: number;
  /** Index in the explained text's tokenization: keeps the even/odd boundary colours stable. */
  index: number;
  score?: TokenScoreValue;
}

/** One content change as VS Code reports it: `length` characters at `offset` replaced by `text`. */
export interface TextChange {
  offset: number;
  length: number;
  text: string;
}

function applyChange(tokens: readonly TrackedToken[], change: TextChange): TrackedToken[] {
  const changeEnd = change.offset + change.length;
  const delta = change.text.length - change.length;
  const kept: TrackedToken[] = [];
  for (const token of tokens) {
    if (changeEnd <= token.start) {
      kept.push(delta === 0 ? token : { ...token, start: token.start + delta, end: token.end + delta });
    } else if (change.offset >= token.end) {
      kept.push(token);
    }
    // otherwise the change overlaps the token: drop it
  }
  return kept;
}

/**
 * Applies the changes of one document event in order. VS Code lists the changes of one edit
 * from the end of the document backwards, so each change's offset is still valid after the
 * previous ones are applied. Returns undefined when no token survives.
 */
export function trackChanges(tokens: readonly TrackedToken[], changes: readonly TextChange[]): TrackedToken[] | undefined {
  let current: readonly TrackedToken[] = tokens;
  for (const change of changes) current = applyChange(current, change);
  return current.length === 0 ? undefined : (current as TrackedToken[]);
}
