// Seeded random texts made of the characters that break naive tokenizer and offset code.

export function makePieceGenerator(random: () => number): () => string {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]) => items[int(0, items.length - 1)]!;
  const char = (lo: number, hi: number) => String.fromCodePoint(int(lo, hi));
  const words = ['the', ' function', 'def', ' return', 'Hello', ' world', 'x', '42', ' 3.14', "'s", "don't", 'CamelCase', 'snake_case', ' ', '  ', '    '];
  const pieces: (() => string)[] = [
    () => pick(words),
    () => char(0x21, 0x7e),
    () => char(0xa0, 0x7ff), // 2-byte UTF-8 (Latin-1, Greek, Cyrillic, Hebrew, Arabic)
    () => char(0x4e00, 0x9fff), // CJK, 3 bytes, often split by GPT-2
    () => char(0xac00, 0xd7a3), // Hangul syllables
    () => char(0x20000, 0x2a6df), // CJK extension B: surrogate pair, 4 bytes
    () => char(0x1f300, 0x1faff), // emoji
    () => pick(['👨\u200d👩\u200d👧\u200d👦', '🏳️\u200d🌈', '👩🏽\u200d💻', '❤️\u200d🔥']), // ZWJ sequences
    () => pick(['👍', '👋', '🤝']) + char(0x1f3fb, 0x1f3ff), // skin tones
    () => pick(['e', 'a', 'n', 'o']) + char(0x300, 0x36f) + (random() < 0.3 ? char(0x300, 0x36f) : ''), // combining marks
    () => pick(['\r\n', '\n', '\t', '\r', '\n\n', ' \t ']),
    () => char(0xd800, 0xdbff), // lone high surrogate (or a pair, if a low one follows by chance)
    () => char(0xdc00, 0xdfff), // lone low surrogate
    () => '\0',
    () => pick(['<|endoftext|>', '<|fim_prefix|>', '<|im_start|>', '<|endofprompt|>']),
    () => char(0x900, 0x97f), // Devanagari
  ];
  return () => pick(pieces)();
}

export function makeFuzzText(random: () => number, nextPiece: () => string): string {
  const pieces = Math.floor(random() * 40);
  let text = '';
  for (let i = 0; i < pieces; i++) text += nextPiece();
  return text;
}

/**
 * makePieceGenerator's pieces and more of what today's open models meet: right-to-left
 * scripts, long whitespace runs, digit runs, code, text that NFC changes, and text that looks
 * like the special or added tokens of Llama, Qwen, Gemma and DeepSeek vocabularies.
 */
export function makeModelTextGenerator(random: () => number): () => string {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]) => items[int(0, items.length - 1)]!;
  const char = (lo: number, hi: number) => String.fromCodePoint(int(lo, hi));
  const run = (make: () => string, lo: number, hi: number) => Array.from({ length: int(lo, hi) }, make).join('');
  const basic = makePieceGenerator(random);
  const pieces: (() => string)[] = [
    basic,
    basic,
    basic,
    () => run(() => char(0x5d0, 0x5ea), 1, 6) + (random() < 0.5 ? '\u05b0' : ''), // Hebrew, a point
    () => run(() => char(0x627, 0x64a), 1, 6) + (random() < 0.5 ? char(0x64b, 0x652) : ''), // Arabic, a haraka
    () => pick(['\u200f', '\u200e', '\u202b', '\u202c']), // bidi marks
    () => ' '.repeat(int(2, 40)),
    () => '\t'.repeat(int(2, 12)),
    () => run(() => pick([' ', '\t', '\n']), 2, 20),
    () => '\n'.repeat(int(2, 40)),
    () => '\r\n'.repeat(int(1, 4)),
    () => run(() => char(0x30, 0x39), 1, 14),
    () => pick(['1,234.56', '3.14159', '0x1F', '2024-01-31', '10^9', '−42']),
    () => pick(['def f(x):\n    return x ** 2\n', 'if (a && b) { return c[i]; }', '#include <stdio.h>\n', 'const s = `${a}`;', 'x => x !== null', '    ', '\t\treturn;', 'SELECT * FROM t WHERE id=1;', '</div>', '<b>bold</b>']),
    () => pick(['\u1100\u1161', '\u1100\u1161\u11a8', 'e\u0301', 'e\u0323\u0302', '\u212b', '\u2126', '\uf900', '\u0958', 'ﾊﾟ', '\u00c5\u030a']), // NFC changes these
    () => pick(['<s>', '</s>', '<unk>', '<bos>', '<eos>', '<pad>', '<start_of_turn>', '<end_of_turn>', '<|begin_of_text|>', '<|eot_id|>', '<|im_end|>', '<think>', '</think>', '<tool_call>', '<｜begin▁of▁sentence｜>', '<｜User｜>', '<｜Assistant｜>', '<table>', '<unused0>', '[multimodal]', '<0x41>']),
    () => pick(['▁', '▁▁', '▁x', 'a▁b']), // SentencePiece's space marker, typed
  ];
  return () => pick(pieces)();
}
