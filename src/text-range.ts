// Which text Explain Tokens takes: the selection when there is one, otherwise the whole document
// when it is short, otherwise the paragraph (blank-line delimited) around the cursor.
// Pure (offsets into a string) so that it is testable without VS Code.
import type { SourceKind } from './protocol';
import { english, type Localize } from './localize';

/** Documents up to this many characters are explained whole when nothing is selected. */
export const SHORT_DOCUMENT_CHARS = 2000;

export interface TextPick {
  kind: SourceKind;
  /** UTF-16 offsets into the document text. */
  start: number;
  end: number;
}

export type PickResult = { ok: true; pick: TextPick } | { ok: false; reason: string };

/**
 * @param selection offsets of the primary selection (start === end when nothing is selected)
 * @param cursor offset of the cursor, used to find the paragraph
 */
export function pickText(text: string, selection: { start: number; end: number }, cursor: number, localize: Localize = english): PickResult {
  if (selection.end > selection.start) {
    return { ok: true, pick: { kind: 'selection', start: selection.start, end: selection.end } };
  }
  if (text.trim().length === 0) {
    return { ok: false, reason: text.length === 0 ? localize('the document is empty') : localize('the document holds only whitespace') };
  }
  if (text.length <= SHORT_DOCUMENT_CHARS) {
    return { ok: true, pick: { kind: 'document', start: 0, end: text.length } };
  }
  const paragraph = paragraphAround(text, Math.min(Math.max(cursor, 0), text.length));
  return { ok: true, pick: { kind: 'paragraph', ...paragraph } };
}

interface Line {
  start: number;
  /** End of the line's content, before its line break. */
  end: number;
  blank: boolean;
}

function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  const breaks = /\r\n|\r|\n/g;
  let start = 0;
  for (let match = breaks.exec(text); match; match = breaks.exec(text)) {
    lines.push(line(text, start, match.index));
    start = match.index + match[0].length;
  }
  lines.push(line(text, start, text.length));
  return lines;
}

function line(text: string, start: number, end: number): Line {
  return { start, end, blank: text.slice(start, end).trim().length === 0 };
}

/**
 * The run of non-blank lines holding the cursor. On a blank line, the next paragraph below,
 * or the last one above when there is none below. The caller guarantees a non-blank line exists.
 */
export function paragraphAround(text: string, cursor: number): { start: number; end: number } {
  const lines = splitLines(text);
  let at = lines.findIndex((l, i) => cursor <= l.end || i === lines.length - 1);
  if (lines[at]!.blank) {
    const below = lines.findIndex((l, i) => i > at && !l.blank);
    if (below !== -1) at = below;
    else {
      for (let i = at - 1; i >= 0; i--) {
        if (!lines[i]!.blank) {
          at = i;
          break;
        }
      }
    }
  }
  let first = at;
  while (first > 0 && !lines[first - 1]!.blank) first--;
  let last = at;
  while (last < lines.length - 1 && !lines[last + 1]!.blank) last++;
  return { start: lines[first]!.start, end: lines[last]!.end };
}
