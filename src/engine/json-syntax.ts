// Saying why a file is not JSON without quoting it. V8's JSON.parse errors quote the input
// ("Unexpected token 'A', "API_KEY=sk-…" is not valid JSON"), and the files read here are chosen
// by the user, or are symbolic links to anything: an error message must never carry their
// contents. Only a position is taken from the error, and values are quoted short.

/** "not valid JSON", with where it stops being JSON when the parser said so (line and column from 1). */
export function jsonSyntaxProblem(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  if (/^Unexpected end of JSON input/.test(message)) return 'not valid JSON (it ends too early)';
  const position = /\bat position (\d+)/.exec(message);
  if (!position) return 'not valid JSON';
  const offset = Math.min(Number(position[1]), text.length);
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const column = offset - lineStart + 1;
  return `not valid JSON (line ${line}, column ${column})`;
}

/** Longest quotation of a value from a file that a message carries. */
const MAX_QUOTED_CHARS = 40;

/**
 * A value read from a file, as JSON, cut to MAX_QUOTED_CHARS: enough to recognise a wrong
 * model_type or shape, never a whole string or array a crafted file put there.
 */
export function quoteValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTED_CHARS ? `${text.slice(0, MAX_QUOTED_CHARS)}…` : text;
}
