// The added tokens of a tokenizer.json (`added_tokens`): chat markers, BOS/EOS, and in some
// vocabularies ordinary entries matched before the model sees the text (Gemma's "\n\n",
// "<table>"; Qwen's "<think>"). Rust's tokenizers finds them leftmost-longest, honouring
// single_word, lstrip and rstrip; this does the same, with one difference that is the point:
// text that matches a SPECIAL token stays ordinary text, as transformers' split_special_tokens
// (Rust's encode_special_tokens) makes it. The match is found and then skipped, so the text it
// covers is not searched again for other added tokens, as in Rust.

export interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  /** Matched in the normalized text (true) or the original text (false). */
  normalized: boolean;
  singleWord: boolean;
  lstrip: boolean;
  rstrip: boolean;
}

/** A stretch of text: plain text, or one added token (with any whitespace it strips). */
export interface TextPart {
  start: number;
  end: number;
  token?: AddedToken;
}

export function parseAddedTokens(value: unknown): AddedToken[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new Error('tokenizer.json: "added_tokens" is not a list');
  return value.map((entry, index) => {
    const { id, content, special, normalized, single_word, lstrip, rstrip } = (entry ?? {}) as Record<string, unknown>;
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || typeof content !== 'string') {
      throw new Error(`tokenizer.json: added token ${index} has no integer id and content string`);
    }
    // Rust's defaults: special false; normalized is !special.
    const isSpecial = special === true;
    return {
      id,
      content,
      special: isSpecial,
      normalized: typeof normalized === 'boolean' ? normalized : !isSpecial,
      singleWord: single_word === true,
      lstrip: lstrip === true,
      rstrip: rstrip === true,
    };
  });
}

interface TrieNode {
  next: Map<number, TrieNode>;
  token?: AddedToken;
}

// Rust's regex \w and \s (Unicode).
const WORD_CHAR = /[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]/u;
const WHITE_SPACE = /\p{White_Space}/u;

/** Finds added tokens in text the way Rust's AddedVocabulary does (see the top of this file). */
export class AddedTokenMatcher {
  private readonly root: TrieNode = { next: new Map() };
  readonly isEmpty: boolean;

  /** `tokens` are matched by `content` (or by `contentOf(token)` where given, e.g. normalized). */
  constructor(tokens: readonly AddedToken[], contentOf: (token: AddedToken) => string = (t) => t.content) {
    let count = 0;
    for (const token of tokens) {
      const content = contentOf(token);
      if (content === '') continue;
      let node = this.root;
      for (let i = 0; i < content.length; i++) {
        const code = content.charCodeAt(i);
        let child = node.next.get(code);
        if (!child) node.next.set(code, (child = { next: new Map() }));
        node = child;
      }
      // The first token with this content wins, as in Rust's map from content to id.
      node.token ??= token;
      count++;
    }
    this.isEmpty = count === 0;
  }

  /** Splits `text` into plain stretches and non-special added tokens; the parts tile the text. */
  split(text: string): TextPart[] {
    const parts: TextPart[] = [];
    let plainFrom = 0;
    let i = 0;
    if (!this.isEmpty) {
      while (i < text.length) {
        const match = this.longestAt(text, i);
        if (!match) { i++; continue; }
        let start = i;
        let end = i + match.length;
        const { token } = match;
        i = end; // the next search starts after this match, whatever becomes of it
        if (token.special) continue; // special-token text is ordinary text
        if (token.singleWord && ((start > 0 && isWordChar(text, start, -1)) || (end < text.length && isWordChar(text, end, 1)))) continue;
        if (token.lstrip) {
          while (start > plainFrom && WHITE_SPACE.test(text[start - 1]!)) start--;
        }
        if (token.rstrip) {
          while (end < text.length && WHITE_SPACE.test(text[end]!)) end++;
          i = end;
        }
        if (plainFrom < start) parts.push({ start: plainFrom, end: start });
        parts.push({ start, end, token });
        plainFrom = end;
      }
    }
    if (plainFrom < text.length || parts.length === 0) parts.push({ start: plainFrom, end: text.length });
    return parts;
  }

  private longestAt(text: string, from: number): { token: AddedToken; length: number } | undefined {
    let node: TrieNode | undefined = this.root;
    let found: { token: AddedToken; length: number } | undefined;
    for (let j = from; j < text.length; j++) {
      node = node.next.get(text.charCodeAt(j));
      if (!node) break;
      if (node.token) found = { token: node.token, length: j + 1 - from };
    }
    return found;
  }
}

/** Whether the character just before (direction -1) or at (direction 1) `at` is a word character. */
function isWordChar(text: string, at: number, direction: -1 | 1): boolean {
  const code = direction < 0 ? text.codePointAt(at - 1) : text.codePointAt(at);
  if (code === undefined) return false;
  // Step back over a surrogate pair's low half to read the whole character.
  const char = direction < 0 && at >= 2 && code >= 0xdc00 && code <= 0xdfff ? String.fromCodePoint(text.codePointAt(at - 2)!) : String.fromCodePoint(code);
  return WORD_CHAR.test(char);
}
