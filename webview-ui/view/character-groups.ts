// Tokens that split characters (CJK, emoji) show as hex bytes that a reader cannot map back to
// text. This finds each run of such tokens and the characters their bytes make together, with
// the tokens each character's bytes are in, so the chips can show 告 above its three fragments.
import type { TokenSpan } from '../../src/engine/types';

export interface SplitCharacter {
  /** The character (U+FFFD for bytes that are not a whole UTF-8 character, e.g. cut by the context). */
  char: string;
  /** Its UTF-8 bytes as spaced hex, e.g. "e5 91 8a". */
  bytes: string;
  /** Indexes (into the tokens) of the tokens holding its bytes. */
  tokens: number[];
}

export interface CharacterGroup {
  first: number;
  last: number;
  characters: SplitCharacter[];
}

/** Length of the UTF-8 sequence a lead byte starts (1 for a stray continuation byte). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  if (lead >= 0xe0) return lead <= 0xef ? 3 : 1;
  if (lead >= 0xc2) return 2;
  return 1;
}

const hexBytes = (hex: string): number[] => (hex.match(/../g) ?? []).map((h) => parseInt(h, 16));

/** Each maximal run of consecutive partial tokens, with the characters their bytes spell. */
export function characterGroups(tokens: readonly Pick<TokenSpan, 'bytes' | 'partial'>[]): CharacterGroup[] {
  const groups: CharacterGroup[] = [];
  const decoder = new TextDecoder('utf-8', { fatal: false });
  for (let i = 0; i < tokens.length; i++) {
    if (!tokens[i]!.partial) continue;
    let last = i;
    while (last + 1 < tokens.length && tokens[last + 1]!.partial) last++;
    const bytes: number[] = [];
    const owner: number[] = [];
    for (let t = i; t <= last; t++) {
      for (const b of hexBytes(tokens[t]!.bytes)) {
        bytes.push(b);
        owner.push(t);
      }
    }
    const characters: SplitCharacter[] = [];
    for (let at = 0; at < bytes.length; ) {
      const n = Math.min(sequenceLength(bytes[at]!), bytes.length - at);
      const piece = bytes.slice(at, at + n);
      characters.push({
        char: decoder.decode(Uint8Array.from(piece)),
        bytes: piece.map((b) => b.toString(16).padStart(2, '0')).join(' '),
        tokens: [...new Set(owner.slice(at, at + n))],
      });
      at += n;
    }
    groups.push({ first: i, last, characters });
    i = last;
  }
  return groups;
}
