// How a token's text is shown on a chip: whitespace and control characters made visible,
// tokens that hold only part of a character shown as their UTF-8 bytes. Pure.
import type { TokenSpan } from '../../src/engine/types';

export type SegmentKind = 'text' | 'space' | 'tab' | 'newline' | 'return' | 'control' | 'bytes';

export interface Segment {
  kind: SegmentKind;
  text: string;
}

/** Invisible or easily confused characters shown by name. */
const NAMED: Readonly<Record<string, string>> = {
  '\u00a0': 'NBSP',
  '\u00ad': 'SHY',
  '\u200b': 'ZWSP',
  '\u200c': 'ZWNJ',
  '\u200d': 'ZWJ',
  '\u2028': 'LS',
  '\u2029': 'PS',
  '\u2060': 'WJ',
  '\ufeff': 'BOM',
};

/** "e4bda0" → "e4 bd a0". */
export function spacedHex(hex: string): string {
  return (hex.match(/../g) ?? []).join(' ');
}

function classify(char: string): Segment {
  if (char === ' ') return { kind: 'space', text: '·' };
  if (char === '\t') return { kind: 'tab', text: '→' };
  if (char === '\n') return { kind: 'newline', text: '↵' };
  if (char === '\r') return { kind: 'return', text: '␍' };
  const code = char.codePointAt(0)!;
  // C0 controls have pictures at U+2400 + code; DEL at U+2421.
  if (code < 0x20) return { kind: 'control', text: String.fromCodePoint(0x2400 + code) };
  if (code === 0x7f) return { kind: 'control', text: '␡' };
  if (code >= 0x80 && code < 0xa0) return { kind: 'control', text: `U+${code.toString(16).toUpperCase().padStart(4, '0')}` };
  const named = NAMED[char];
  if (named) return { kind: 'control', text: named };
  return { kind: 'text', text: char };
}

/** The chip's content, consecutive plain characters merged into one segment. */
export function displaySegments(token: Pick<TokenSpan, 'text' | 'bytes' | 'partial'>): Segment[] {
  if (token.partial) return [{ kind: 'bytes', text: spacedHex(token.bytes) }];
  if (token.text.length === 0) return [{ kind: 'control', text: '∅' }];
  const segments: Segment[] = [];
  for (const char of token.text) {
    const segment = classify(char);
    const last = segments[segments.length - 1];
    if (last && last.kind === 'text' && segment.kind === 'text') last.text += segment.text;
    else segments.push(segment);
  }
  return segments;
}

/**
 * A token's text on one line, whitespace made visible as on the chips (the one convention the
 * panel uses, explained by the legend above the chips): for labels, lists and sentences.
 */
export function displayToken(text: string): string {
  return displaySegments({ text, bytes: '', partial: false }).map((segment) => segment.text).join('');
}

/** A glyph's CSS classes (prefixed: a bare "tab" would be styled as the panel's tab buttons). */
export function glyphClass(kind: Exclude<SegmentKind, 'text'>): string {
  return `glyph glyph-${kind}`;
}

/** True when the chips after this one start a new line, as the text does. */
export function endsLine(token: Pick<TokenSpan, 'text' | 'partial'>): boolean {
  return !token.partial && token.text.endsWith('\n');
}

/** The token as a quoted string with escapes, for tooltips and the distribution list: "·foo" style is for chips, this is exact. */
export function quotedToken(text: string): string {
  return JSON.stringify(text).replace(/\\u([0-9a-f]{4})/g, (_, hex: string) => `\\u${hex.toUpperCase()}`);
}
