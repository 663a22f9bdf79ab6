// Where "Insert into editor" puts generated text: at the end of the explained range of the run
// that produced it, in that run's document; at the cursor only when that document is gone.
// Pure (offsets and uri strings), so it is unit-tested without VS Code.

/** The end of a run's explained text, kept up to date as its document is edited. */
export interface ExplainedEnd {
  runId: number;
  uri: string;
  /** Document offset just after the explained text. */
  end: number;
}

export interface OpenDocument {
  uri: string;
  length: number;
}

export type InsertionPoint =
  | { kind: 'explained'; uri: string; offset: number }
  | { kind: 'cursor'; uri: string; offset: number }
  | { kind: 'none'; reason: 'noEditor' };

export function insertionPoint(
  runId: number,
  explained: ExplainedEnd | undefined,
  documents: readonly OpenDocument[],
  cursor: { uri: string; offset: number } | undefined,
): InsertionPoint {
  const document = explained?.runId === runId ? documents.find((d) => d.uri === explained.uri) : undefined;
  // Clamped: text deleted after the run can leave the end past the document's length.
  if (document) return { kind: 'explained', uri: document.uri, offset: Math.max(0, Math.min(explained!.end, document.length)) };
  if (cursor) return { kind: 'cursor', uri: cursor.uri, offset: cursor.offset };
  return { kind: 'none', reason: 'noEditor' };
}

/** One edit of a document: `removed` characters at `start` replaced by `inserted` characters. */
export interface TextChange {
  start: number;
  removed: number;
  inserted: number;
}

/**
 * Where `offset` is after `change`. Text typed exactly at the offset goes after the explained
 * range (it is new text, not part of it); an edit that swallows the offset moves it to the end of
 * the replacement.
 */
export function shiftOffset(offset: number, change: TextChange): number {
  if (change.start >= offset) return offset;
  const changeEnd = change.start + change.removed;
  if (changeEnd <= offset) return offset + change.inserted - change.removed;
  return change.start + change.inserted;
}
