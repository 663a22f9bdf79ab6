// Builds the message that asks the panel to explain a text. Pure (no vscode) so that the labels,
// the render cap and the remarks are testable alone.
import type { TokenSpan } from '../engine/types';
import { english, type Localize } from '../localize';
import { isolatedText } from '../untrusted-text';
import { LIMITS, type EncodingCounts, type ExplainMessage, type ExplainSource, type SourceKind, type ViewSettings } from '../protocol';

/** Longest text Explain Tokens accepts: a 1 MB file works (tokenizing it takes about a second). */
export const MAX_EXPLAIN_CHARS = 2_000_000;

export interface ExplainInput {
  runId: number;
  kind: SourceKind;
  fileName: string;
  /** Zero-based lines where the explained text starts and ends. */
  firstLine: number;
  lastLine: number;
  text: string;
  /** The last tokens of the text under the model's tokenizer (at most LIMITS.tokensPerMessage; offsets relative to the text). */
  tokens: TokenSpan[];
  /** Tokens of the whole text. */
  totalTokens: number;
  counts: EncodingCounts;
  /** The text's token count under the model's own tokenizer. */
  modelCount: ExplainMessage['modelCount'];
  settings: ViewSettings;
  /** The model's context length. */
  contextTokens: number;
}

export function sourceLabel(kind: SourceKind, rawFileName: string, firstLine: number, lastLine: number, localize: Localize = english): string {
  // A right-to-left override in the name must not reorder the rest of the sentence.
  const fileName = isolatedText(rawFileName);
  const lines = firstLine === lastLine ? localize('line {0}', firstLine + 1) : localize('lines {0}–{1}', firstLine + 1, lastLine + 1);
  switch (kind) {
    case 'selection':
      return localize('Selection in {0}, {1}', fileName, lines);
    case 'paragraph':
      return localize('Paragraph at the cursor in {0}, {1} (nothing was selected)', fileName, lines);
    case 'document':
      return localize('All of {0} (nothing was selected)', fileName);
  }
}

/** Share of characters that are control characters other than tab, line breaks and form feed. */
export function controlCharShare(text: string): number {
  if (text.length === 0) return 0;
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d && code !== 0x0c) || code === 0x7f) control++;
  }
  return control / text.length;
}

/** Text that holds NULs or many control characters is probably not text. */
export function looksBinary(text: string): boolean {
  return text.includes('\u0000') || controlCharShare(text) > 0.01;
}

export function explainNotes(input: Pick<ExplainInput, 'text' | 'totalTokens' | 'contextTokens'>, localize: Localize = english): string[] {
  const notes: string[] = [];
  const total = input.totalTokens;
  if (looksBinary(input.text)) {
    const share = (controlCharShare(input.text) * 100).toFixed(1);
    notes.push(
      localize('This text looks binary ({0}% control characters). Its tokens are shown byte by byte; the model was trained on text, so its numbers mean little here.', share),
    );
  }
  if (total > LIMITS.tokensPerMessage) {
    notes.push(localize('The text has {0} tokens: the panel shows the last {1}.', total.toLocaleString('en-US'), LIMITS.tokensPerMessage.toLocaleString('en-US')));
  }
  if (total > input.contextTokens) {
    notes.push(localize('The model reads at most {0} tokens at a time: the last {0} get every view, and the tokens before them are scored for the heat map in overlapping windows of {0}, painted as each finishes.', input.contextTokens));
  }
  return notes;
}

export function buildExplainMessage(input: ExplainInput, localize: Localize = english): ExplainMessage {
  const shown = input.tokens.slice(-LIMITS.tokensPerMessage);
  const firstTokenIndex = input.totalTokens - shown.length;
  const source: ExplainSource = { kind: input.kind, label: sourceLabel(input.kind, input.fileName, input.firstLine, input.lastLine, localize) };
  return {
    type: 'explain',
    runId: input.runId,
    source,
    tokens: shown,
    firstTokenIndex,
    totalTokens: input.totalTokens,
    totalChars: input.text.length,
    counts: input.counts,
    modelCount: input.modelCount,
    notes: explainNotes(input, localize),
    settings: input.settings,
  };
}
