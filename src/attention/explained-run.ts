// The explained run that attention messages refer to: its tokens in document offsets, kept on
// their text while the user edits, and the check that a message from the panel fits it. Pure
// (no vscode) so the rules are testable alone.
import { attentionMessageProblem, type AttentionMessage, type AttentionShape, type ExplainMessage } from '../protocol';
import type { TextChange } from '../decorations/token-tracking';
import type { DocumentToken } from './attention-shading';

export interface ExplainedRun {
  /** The document's URI (string form). */
  uri: string;
  runId: number;
  /** ExplainMessage.tokens in document offsets; tokens[i].index === i. */
  tokens: DocumentToken[];
}

/** A run's tokens in document offsets (ExplainMessage offsets are relative to the explained text). */
export function explainedRun(uri: string, documentStart: number, message: ExplainMessage): ExplainedRun {
  return {
    uri,
    runId: message.runId,
    tokens: message.tokens.map((token, index) => ({ index, text: token.text, start: documentStart + token.start, end: documentStart + token.end })),
  };
}

/**
 * Moves spans with an edit: an edit wholly before the first span shifts them all, one wholly
 * after the last leaves them; one that touches the spanned text returns undefined, because the
 * tokens (and the attention between them) no longer describe it. Changes are applied in order,
 * as VS Code lists them (from the end of the document backwards).
 */
export function followEdits<T extends { start: number; end: number }>(spans: readonly T[], changes: readonly TextChange[]): T[] | undefined {
  if (spans.length === 0) return [];
  let current = spans as T[];
  for (const change of changes) {
    const first = Math.min(...current.map((s) => s.start));
    const last = Math.max(...current.map((s) => s.end));
    const changeEnd = change.offset + change.length;
    if (change.offset >= last) continue;
    if (changeEnd > first) return undefined;
    const delta = change.text.length - change.length;
    if (delta !== 0) current = current.map((s) => ({ ...s, start: s.start + delta, end: s.end + delta }));
  }
  return current;
}

/**
 * Why an attention message cannot be shown on the editor's run, or undefined when it can: it
 * must answer the run the editor holds, and its layer, head, token and weights must fit the
 * model and that run (a message from an older panel state fails here, never paints).
 */
export function attentionRejection(message: AttentionMessage, run: ExplainedRun | undefined, shape: AttentionShape): string | undefined {
  if (!run) return `attention for run ${message.runId} arrived, but no explained text is shown in the editor (it was edited, cleared, or replaced)`;
  if (message.runId !== run.runId) return `attention for run ${message.runId} is stale: the editor shows run ${run.runId}`;
  const problem = attentionMessageProblem(message, shape, run.tokens.length);
  return problem ? `attention for run ${message.runId} rejected: ${problem}` : undefined;
}
