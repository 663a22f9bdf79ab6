// Text that comes from outside the extension (file names and contents, config.json values,
// tensor names, paths, what the panel or a server sends) shown on VS Code's surfaces. Each
// surface acts on some syntax inside plain strings; each function here returns text that its
// surface shows exactly as written, with no link, icon or markup. Pure (no `vscode`), so it is
// unit-tested in Node and the webview can use it too.

/** Word joiner: invisible, zero width, and no line break at it. */
const WORD_JOINER = '\u2060';

/**
 * For showInformationMessage / showWarningMessage / showErrorMessage. VS Code turns
 * `[label](https:…|command:…|file:…)` in a notification into a link (parseLinkedText in
 * vs/base/common/linkedText.ts) and renders everything else as text. Every such link holds `](`;
 * a word joiner between the two characters breaks the pattern and leaves each character on
 * screen as written, so the user still reads the text, just not as a link.
 */
export function notificationText(text: string): string {
  return text.replaceAll('](', `]${WORD_JOINER}(`);
}

/** `$(name)` and `$(name~modifier)`: what renderLabelWithIcons (vs/base/browser/ui/iconLabel/iconLabels.ts) turns into an icon. */
const ICON = /\$\([A-Za-z0-9-]+(?:~[A-Za-z]+)?\)/g;

/**
 * For status bar item text, status bar messages and quick pick labels, where `$(name)` becomes an
 * icon. VS Code shows `\$(name)` as the literal `$(name)`; a backslash already before it stays
 * visible too, because the added one is the one consumed.
 */
export function labelText(text: string): string {
  return text.replace(ICON, (icon) => `\\${icon}`);
}

/**
 * For MarkdownString content (hovers): every character Markdown or HTML could act on is escaped,
 * so links, autolinks (`https\://` no longer matches), emphasis, code, tables, HTML and
 * `$(icon)` all render as the literal text.
 */
export function markdownText(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|~:$]/g, (c) => `\\${c}`).replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Explicit direction controls: embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069). */
const DIRECTION_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
/** Right-to-left scripts' blocks (Hebrew to NKo and beyond, presentation forms, and the astral RTL planes) and the RTL marks. */
const RIGHT_TO_LEFT = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u200f\u061c\u{10800}-\u{10fff}\u{1e800}-\u{1efff}]/u;
const FIRST_STRONG_ISOLATE = '\u2068';
const POP_DIRECTIONAL_ISOLATE = '\u2069';
const ISOLATE_INITIATOR = /[\u2066-\u2068]/;

/**
 * A name (of a file, of a model) that will sit inside a sentence, kept from reordering the
 * sentence around it: an override (U+202E) in a file name would otherwise run on to the end of
 * the line. Wrapped in FSI…PDI when it holds direction controls or right-to-left text; a pure
 * left-to-right name is returned as it is. Inside, a PDI that would close the outer isolate
 * early is dropped and isolates the name leaves open are closed (PDI also ends its embeddings
 * and overrides), so the name shows as it would alone, and nothing leaks out.
 */
export function isolatedText(text: string): string {
  if (!DIRECTION_CONTROL.test(text) && !RIGHT_TO_LEFT.test(text)) return text;
  let open = 0;
  let inner = '';
  for (const char of text) {
    if (ISOLATE_INITIATOR.test(char)) open++;
    else if (char === POP_DIRECTIONAL_ISOLATE) {
      if (open === 0) continue;
      open--;
    }
    inner += char;
  }
  return FIRST_STRONG_ISOLATE + inner + POP_DIRECTIONAL_ISOLATE.repeat(open) + POP_DIRECTIONAL_ISOLATE;
}

/** At most `maxChars` UTF-16 units: longer text ends in "…", never in half a surrogate pair. */
export function clippedText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = maxChars - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end) + '…';
}
