// Counting instead of learning: the words of a text and how often each occurs within `window`
// words of another (a co-occurrence matrix), the way word vectors were made before word2vec.
// Words are the text's tokens that hold letters, lower-cased and trimmed.

export interface Cooccurrence {
  words: string[];
  /** counts[i][j]: how often words[j] occurs within the window of an occurrence of words[i]. */
  counts: number[][];
  /** For each word, the index in the token list of its first occurrence. */
  firstToken: number[];
}

/** The word a token holds, or undefined for punctuation, numbers, whitespace and byte fragments. */
export function wordOf(text: string): string | undefined {
  const word = text.trim().toLowerCase();
  return /^[\p{L}\p{M}'’-]*\p{L}[\p{L}\p{M}'’-]*$/u.test(word) ? word : undefined;
}

export function cooccurrence(tokens: readonly { text: string }[], window: number, maxWords = 40): Cooccurrence {
  const sequence: { word: string; token: number }[] = [];
  tokens.forEach((token, i) => {
    const word = wordOf(token.text);
    if (word) sequence.push({ word, token: i });
  });
  const index = new Map<string, number>();
  const firstToken: number[] = [];
  for (const { word, token } of sequence) {
    if (index.has(word) || index.size >= maxWords) continue;
    index.set(word, index.size);
    firstToken.push(token);
  }
  const words = [...index.keys()];
  const counts = words.map(() => new Array<number>(words.length).fill(0));
  sequence.forEach(({ word }, at) => {
    const i = index.get(word);
    if (i === undefined) return;
    for (let k = Math.max(0, at - window); k <= Math.min(sequence.length - 1, at + window); k++) {
      const j = k === at ? undefined : index.get(sequence[k]!.word);
      if (j !== undefined) counts[i]![j]! += 1;
    }
  });
  return { words, counts, firstToken };
}

/** The articles' two sentences, as tokens of one word each. */
export const CLASSIC_SENTENCES = ['all that glitters is not gold', 'all is well that ends well'];
