// The normalizers of Hugging Face tokenizer.json files, applied with an alignment back to the
// text they were given, so that each token's span is a range of the ORIGINAL text.
//
// Tokenizers.js applies normalizers without offsets (and Rust's offsets are out of reach in a
// browser), so LLM Lens applies them itself. Only the normalizers today's causal LMs use are
// supported: NFC/NFD/NFKC/NFKD (Qwen: NFC), Prepend (Llama 2, Mistral v0.1, TinyLlama: "▁"),
// Replace (SentencePiece vocabularies: " " -> "▁"), and Sequence of those. Others (BERT's,
// Precompiled, Lowercase, Strip...) are refused with a clear error when the tokenizer loads.
//
// Alignment: `src[j]` is the index in the input where output unit j's share of the input
// begins; src has output.length + 1 entries, src[0] = 0 and the last one is input.length, and
// it never decreases. A token holding output units [a, b) covers input [src[a], src[b]). When
// one stretch of input becomes several output units (NFC's "e" + U+0301 -> "é", or NFD the
// other way), the first unit takes the whole stretch and the others take nothing (src = its
// end), which is the span rule's "a character belongs to the token holding its first byte";
// `joined` marks those other units, so that a token starting or ending at one is `partial`
// (it holds part of what one character of the text became). Inserted units (Prepend's "▁")
// take nothing either: the text they stand before keeps its offset, so a span never starts
// before 0 or shifts.
import { ReplaceNormalizer } from '@huggingface/tokenizers';

export interface Aligned {
  text: string;
  /** null when the output is the input, unit for unit. */
  src: Int32Array | null;
  /** 1 for a unit that continues what one stretch of input became; null when there is none. */
  joined: Uint8Array | null;
}

export type AlignedNormalizer = (input: string) => Aligned;

const IDENTITY: AlignedNormalizer = (input) => ({ text: input, src: null, joined: null });

type UnicodeForm = 'NFC' | 'NFD' | 'NFKC' | 'NFKD';
const UNICODE_FORMS: readonly string[] = ['NFC', 'NFD', 'NFKC', 'NFKD'];

/** The normalizer a tokenizer.json describes (its `normalizer` field), with alignment. */
export function alignedNormalizer(config: unknown): AlignedNormalizer {
  if (config === null || config === undefined) return IDENTITY;
  if (typeof config !== 'object' || typeof (config as { type?: unknown }).type !== 'string') {
    throw new Error(`tokenizer.json: the normalizer is not an object with a "type"`);
  }
  const spec = config as { type: string; [key: string]: unknown };
  if (UNICODE_FORMS.includes(spec.type)) return unicodeNormalizer(spec.type as UnicodeForm);
  switch (spec.type) {
    case 'Sequence': {
      if (!Array.isArray(spec.normalizers)) throw new Error('tokenizer.json: a Sequence normalizer without a "normalizers" list');
      const steps = spec.normalizers.map(alignedNormalizer);
      return (input) => steps.reduce<Aligned>((done, step) => compose(done, step(done.text)), { text: input, src: null, joined: null });
    }
    case 'Prepend': {
      if (typeof spec.prepend !== 'string') throw new Error('tokenizer.json: a Prepend normalizer without a "prepend" string');
      return prepend(spec.prepend);
    }
    case 'Replace':
      return replace(spec);
    default:
      throw new Error(`tokenizer.json: LLM Lens cannot map token offsets through a "${spec.type}" normalizer (it supports NFC, NFD, NFKC, NFKD, Prepend, Replace and Sequence)`);
  }
}

/** `second` applied after `first`, aligned to `first`'s input. */
function compose(first: Aligned, second: Aligned): Aligned {
  if (!second.src) return { text: second.text, src: first.src, joined: first.joined };
  if (!first.src) return second;
  const src = new Int32Array(second.src.length);
  for (let j = 0; j < src.length; j++) src[j] = first.src[second.src[j]!]!;
  // A unit continues a stretch if the second step says so, or if it begins at a unit that
  // continued one in the first.
  let joined: Uint8Array | null = null;
  if (first.joined || second.joined) {
    joined = new Uint8Array(second.text.length);
    for (let j = 0; j < joined.length; j++) joined[j] = second.joined?.[j] || first.joined?.[second.src[j]!] || 0;
  }
  return { text: second.text, src, joined };
}

/** Builds an output string and its alignment piece by piece. */
class AlignedBuilder {
  private readonly parts: string[] = [];
  private readonly srcParts: number[] = [];
  private readonly joinedUnits: number[] = [];
  private length = 0;

  /** Output units copied from input [from, from + text.length), unit for unit. */
  copy(text: string, from: number): void {
    this.parts.push(text);
    for (let i = 0; i < text.length; i++) this.srcParts.push(from + i);
    this.length += text.length;
  }

  /** Output `text` standing for input [from, to): the first unit takes it all. */
  replace(text: string, from: number, to: number): void {
    this.parts.push(text);
    for (let i = 0; i < text.length; i++) {
      this.srcParts.push(i === 0 ? from : to);
      // Inside a surrogate pair is not a boundary any token can have; inserted text joins nothing.
      if (i > 0 && from < to && !isLowSurrogateAt(text, i)) this.joinedUnits.push(this.length + i);
    }
    this.length += text.length;
  }

  finish(inputLength: number): Aligned {
    const src = new Int32Array(this.length + 1);
    src.set(this.srcParts);
    // Input dropped before the first unit belongs to it: spans start at 0.
    if (this.length > 0) src[0] = 0;
    src[this.length] = inputLength;
    let joined: Uint8Array | null = null;
    if (this.joinedUnits.length > 0) {
      joined = new Uint8Array(this.length);
      for (const unit of this.joinedUnits) joined[unit] = 1;
    }
    return { text: this.parts.join(''), src, joined };
  }
}

function prepend(prefix: string): AlignedNormalizer {
  // As Rust's Prepend: nothing is added to an empty string.
  return (input) => {
    if (input === '' || prefix === '') return { text: input, src: null, joined: null };
    const builder = new AlignedBuilder();
    builder.replace(prefix, 0, 0);
    builder.copy(input, 0);
    return builder.finish(input.length);
  };
}

function replace(spec: { [key: string]: unknown }): AlignedNormalizer {
  const pattern = spec.pattern as { String?: unknown; Regex?: unknown } | undefined;
  const content = spec.content;
  if (typeof content !== 'string' || !pattern || (typeof pattern.String !== 'string' && typeof pattern.Regex !== 'string')) {
    throw new Error('tokenizer.json: a Replace normalizer needs a String or Regex pattern and a content string');
  }
  if (typeof pattern.String === 'string') {
    const target = pattern.String;
    if (target === '') return IDENTITY;
    // One unit for one unit (SentencePiece's " " -> "▁"): the alignment is the identity.
    if (target.length === 1 && content.length === 1) return (input) => ({ text: input.replaceAll(target, content), src: null, joined: null });
    return (input) => replaceMatches(input, allIndexesOf(input, target, target.length), content);
  }
  // Tokenizers.js translates the Oniguruma pattern to a JavaScript RegExp; reuse its translation.
  const regex = new ReplaceNormalizer(spec as never).pattern;
  if (!regex) throw new Error(`tokenizer.json: cannot compile the Replace pattern ${JSON.stringify(pattern.Regex)}`);
  return (input) => {
    const matches: [number, number][] = [];
    for (const match of input.matchAll(regex)) {
      if (match[0].length > 0) matches.push([match.index, match.index + match[0].length]);
    }
    return replaceMatches(input, matches, content);
  };
}

function allIndexesOf(input: string, target: string, length: number): [number, number][] {
  const matches: [number, number][] = [];
  for (let at = input.indexOf(target); at >= 0; at = input.indexOf(target, at + length)) matches.push([at, at + length]);
  return matches;
}

function replaceMatches(input: string, matches: readonly [number, number][], content: string): Aligned {
  if (matches.length === 0) return { text: input, src: null, joined: null };
  const builder = new AlignedBuilder();
  let copied = 0;
  for (const [from, to] of matches) {
    builder.copy(input.slice(copied, from), copied);
    builder.replace(content, from, to);
    copied = to;
  }
  builder.copy(input.slice(copied), copied);
  return builder.finish(input.length);
}

// Characters that Unicode normalization can join to the character BEFORE them although they
// are not combining marks: Hangul vowel and final jamo (composed into syllables by NFC/NFKC)
// and the halfwidth katakana voiced marks (NFKC turns them into combining marks).
const JOINS_BACKWARD = /[\u1160-\u11FF\uD7B0-\uD7FF\uFF9E\uFF9F]|\p{M}/u;

function unicodeNormalizer(form: UnicodeForm): AlignedNormalizer {
  return (input) => {
    const whole = input.normalize(form);
    if (whole === input) return { text: input, src: null, joined: null };
    const builder = new AlignedBuilder();
    // Lines first: nothing joins across a line feed, and most lines are already normalized.
    let lineStart = 0;
    while (lineStart < input.length) {
      const newline = input.indexOf('\n', lineStart);
      const lineEnd = newline < 0 ? input.length : newline + 1;
      const line = input.slice(lineStart, lineEnd);
      const normalized = line.normalize(form);
      if (normalized === line) builder.copy(line, lineStart);
      else alignLine(line, lineStart, form, builder);
      lineStart = lineEnd;
    }
    const aligned = builder.finish(input.length);
    // The pieces must normalize to what the whole does; if some rare interaction made them
    // differ, give the whole text to its first unit rather than wrong offsets.
    if (aligned.text === whole) return aligned;
    const coarse = new AlignedBuilder();
    coarse.replace(whole, 0, input.length);
    return coarse.finish(input.length);
  };
}

/**
 * Normalizes one line in groups of a base character and the characters that join it, keeping
 * unchanged groups unit for unit. A group is widened while normalizing it together with the
 * next one differs from normalizing them apart.
 */
function alignLine(line: string, offset: number, form: UnicodeForm, builder: AlignedBuilder): void {
  const groups = joinGroups(line);
  let start = 0;
  let end = groups[0]!;
  let normalized = line.slice(start, end).normalize(form);
  const emit = () => {
    const original = line.slice(start, end);
    if (normalized === original) builder.copy(original, offset + start);
    else builder.replace(normalized, offset + start, offset + end);
  };
  for (let g = 1; g < groups.length; g++) {
    const nextEnd = groups[g]!;
    const next = line.slice(end, nextEnd).normalize(form);
    const together = line.slice(start, nextEnd).normalize(form);
    if (together === normalized + next) {
      emit();
      start = end;
      normalized = next;
    } else {
      normalized = together;
    }
    end = nextEnd;
  }
  emit();
}

function isLowSurrogateAt(text: string, i: number): boolean {
  const code = text.charCodeAt(i);
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Ends of the groups: each group is a character and the characters that may join it. */
function joinGroups(line: string): number[] {
  const ends: number[] = [];
  let i = 0;
  for (const char of line) {
    if (i > 0 && !JOINS_BACKWARD.test(char)) ends.push(i);
    i += char.length;
  }
  ends.push(line.length);
  return ends;
}
