// What the page shows for a token id. Only the panel's engine worker holds the model's tokenizer
// (Qwen's tokenizer.json is 11 MB: the page must not parse it too), so every answer of the worker
// carries the display entries of the ids in it (model-calls.ts, tokenIdsIn) and the page keeps them
// here, one store per loaded model: views look ids up synchronously while they draw.
import type { TokenEntry } from '../src/engine/model-tokenizer';

export type { TokenEntry } from '../src/engine/model-tokenizer';

export type { TokenEntries } from '../src/engine/model-calls';
import type { TokenEntries } from '../src/engine/model-calls';

/** The lookup the views are given. */
export interface TokenTextLookup {
  /** The id's text, bytes and whether it is part of a character. */
  entry(id: number): TokenEntry;
  /** The id's display text. */
  text(id: number): string;
}

export class TokenTexts implements TokenTextLookup {
  private readonly entries = new Map<number, TokenEntry>();

  /** Remembers the entries of one answer; a vocabulary is finite, so the store is bounded by it. */
  add(entries: TokenEntries): void {
    for (const [id, entry] of entries) this.entries.set(id, entry);
  }

  /**
   * The entry the worker sent for `id`. An id no answer carried would be a bug in tokenIdsIn; it
   * shows as "<id>" (what an id without a token shows) instead of breaking the view that draws it.
   */
  entry(id: number): TokenEntry {
    return this.entries.get(id) ?? { text: `<${id}>`, bytes: '', partial: false };
  }

  text(id: number): string {
    return this.entry(id).text;
  }
}
