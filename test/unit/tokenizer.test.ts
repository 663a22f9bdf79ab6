import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ENCODING_NAMES,
  countTokens,
  countTokensInSlices,
  decode,
  encode,
  loadEncoding,
  loadOpenAiTokenizer,
  openAiTokenizer,
  tokenBytes,
  tokenBytesHex,
  tokenText,
  tokenize,
  tokenizeInSlices,
  vocabularySize,
} from '../../src/engine/tokenizer';
import type { EncodingName, TokenSpan } from '../../src/engine/types';
import { seededRandom } from '../../src/engine/sampling';
import { makeFuzzText, makePieceGenerator } from '../harness/fuzz-text';
import { assertAbortStopsAtNextPause } from '../harness/slices';

interface ReferenceFixture {
  refs: { name: string; text: string; ids: number[] }[];
  neighbours: Record<string, [number, string, number][]>;
}
const reference: ReferenceFixture = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'reference.json'), 'utf8'),
);

const utf8 = new TextEncoder();
const lenientDecoder = new TextDecoder('utf-8', { fatal: false });
const isContinuationByte = (b: number | undefined) => b !== undefined && (b & 0xc0) === 0x80;
const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLowSurrogate = (c: number) => c >= 0xdc00 && c <= 0xdfff;
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
/** The text with lone surrogates replaced by U+FFFD, as a UTF-8 round trip does. */
const wellFormed = (text: string) => lenientDecoder.decode(utf8.encode(text));

before(async () => {
  await Promise.all(ENCODING_NAMES.map((name) => loadEncoding(name)));
});

describe('known ids', () => {
  test('GPT-2 ids of a plain sentence', () => {
    const text = 'Hello, world! This is a test.';
    assert.deepEqual(encode(text), [15496, 11, 995, 0, 770, 318, 257, 1332, 13]);
    assert.deepEqual(tokenize(text).map((t) => t.id), [15496, 11, 995, 0, 770, 318, 257, 1332, 13]);
    assert.deepEqual(tokenize(text).map((t) => t.text), ['Hello', ',', ' world', '!', ' This', ' is', ' a', ' test', '.']);
  });

  test('every reference prompt tokenizes to the reference ids', () => {
    assert.ok(reference.refs.length >= 5);
    for (const ref of reference.refs) {
      assert.deepEqual(tokenize(ref.text, 'r50k_base').map((t) => t.id), ref.ids, ref.name);
      assert.equal(countTokens(ref.text), ref.ids.length, ref.name);
    }
  });

  test('tokenText agrees with the reference neighbour texts', () => {
    let checked = 0;
    for (const list of Object.values(reference.neighbours)) {
      for (const [id, text] of list) {
        assert.equal(tokenText(id), text, `id ${id}`);
        checked++;
      }
    }
    assert.ok(checked >= 100);
  });

  test('the literal text <|endoftext|> is ordinary text in every encoding', () => {
    assert.deepEqual(encode('<|endoftext|>'), [27, 91, 437, 1659, 5239, 91, 29]);
    const specials: Record<EncodingName, number> = { r50k_base: 50256, cl100k_base: 100257, o200k_base: 199999 };
    for (const name of ENCODING_NAMES) {
      for (const text of ['<|endoftext|>', 'a<|endoftext|>b', '<|im_start|>x<|fim_prefix|><|endofprompt|>']) {
        const spans = tokenize(text, name);
        assert.ok(spans.length > 1, `${name} ${text}`);
        assert.ok(!spans.some((s) => s.id === specials[name]), `${name} produced the special token for ${text}`);
        assert.equal(decode(spans.map((s) => s.id), name), text);
      }
    }
    assert.equal(tokenText(50256), '<|endoftext|>');
  });

  test('bytes and display text of single tokens', () => {
    assert.equal(tokenText(2163), ' function');
    assert.equal(tokenBytesHex(2163), hex(utf8.encode(' function')));
    // 你 is e4 bd a0: GPT-2 splits it as [e4 bd][a0]
    assert.equal(tokenBytesHex(19526), 'e4bd');
    assert.equal(tokenBytesHex(254), 'a0');
    assert.equal(tokenText(254), '\uFFFD');
    assert.deepEqual([...tokenBytes(198)], [10]);
    assert.equal(vocabularySize('r50k_base'), 50257);
  });

  test('a CJK character split across tokens: first-byte rule, zero-length continuation', () => {
    const spans = tokenize('你好');
    assert.deepEqual(
      spans.map(({ id, start, end, bytes, partial }) => ({ id, start, end, bytes, partial })),
      [
        { id: 19526, start: 0, end: 1, bytes: 'e4bd', partial: true },
        { id: 254, start: 1, end: 1, bytes: 'a0', partial: true },
        { id: 25001, start: 1, end: 2, bytes: 'e5a5', partial: true },
        { id: 121, start: 2, end: 2, bytes: 'bd', partial: true },
      ],
    );
  });

  test('the three encodings count the same code differently', () => {
    const code = 'async function fetchUserProfile(userId: string): Promise<UserProfile> {\n  const response = await fetch(`/api/users/${userId}`);\n  if (!response.ok) throw new Error(`HTTP ${response.status}`);\n  return (await response.json()) as UserProfile;\n}\n';
    const counts = ENCODING_NAMES.map((name) => countTokens(code, name));
    assert.equal(new Set(counts).size, 3, `counts ${counts.join(', ')}`);
    // GPT-2 spends one token per indentation space; the later encodings merge runs of spaces.
    assert.ok(counts[0]! > counts[1]! && counts[0]! > counts[2]!, `counts ${counts.join(', ')}`);
    for (const name of ENCODING_NAMES) assert.equal(tokenize(code, name).length, countTokens(code, name));
  });
});

describe('tokenizer objects', () => {
  test('one object per model over the shared tables: the same results as the free functions', () => {
    const a = openAiTokenizer('r50k_base');
    const b = openAiTokenizer('r50k_base');
    assert.notEqual(a, b);
    const text = 'Hello, world! 你好 <|endoftext|>';
    assert.deepEqual(a.tokenize(text), tokenize(text));
    assert.deepEqual(a.encode(text), encode(text));
    assert.equal(a.count(text), countTokens(text));
    assert.equal(a.decode(a.encode(text)), text);
    assert.equal(a.tokenBytes(19526), tokenBytes(19526), 'the byte tables are shared');
    assert.equal(a.vocabSize, 50257);
    assert.equal(a.name, 'r50k_base');
  });

  test('special tokens, no BOS, and <|endoftext|> as EOS in every encoding', async () => {
    const eos: Record<EncodingName, number> = { r50k_base: 50256, cl100k_base: 100257, o200k_base: 199999 };
    for (const name of ENCODING_NAMES) {
      const tokenizer = await loadOpenAiTokenizer(name);
      assert.equal(tokenizer.addsBos, false);
      assert.equal(tokenizer.bosId, undefined);
      assert.equal(tokenizer.eosId, eos[name]);
      assert.equal(tokenizer.isSpecial(eos[name]), true, name);
      assert.equal(tokenizer.isSpecial(tokenizer.encode('Hello')[0]!), false, name);
      assert.equal(tokenizer.tokenText(eos[name]), '<|endoftext|>');
      assert.equal(tokenizer.hasToken(eos[name]), true);
      assert.equal(tokenizer.hasToken(tokenizer.vocabSize), false);
    }
    assert.throws(() => openAiTokenizer('r50k_base').isSpecial(50257), /token id 50257 does not exist in r50k_base/);
  });
});

describe('bad input', () => {
  test('unknown encodings and ids give clear errors', () => {
    assert.throws(() => tokenize('x', 'p50k_base' as EncodingName), /unknown encoding "p50k_base": expected one of r50k_base, cl100k_base, o200k_base/);
    assert.throws(() => tokenText(50257), /token id 50257 does not exist in r50k_base/);
    assert.throws(() => tokenText(-1), /not a non-negative integer/);
    assert.throws(() => tokenText(1.5), /not a non-negative integer/);
    assert.throws(() => decode([15496, 99999]), /token id 99999 does not exist/);
    assert.throws(() => tokenize(undefined as unknown as string), /text must be a string, got undefined/);

  });

  test('loadEncoding rejects an unknown encoding', async () => {
    await assert.rejects(() => loadEncoding('gpt5' as EncodingName), /unknown encoding "gpt5"/);
  });

  test('empty text has no tokens', () => {
    for (const name of ENCODING_NAMES) {
      assert.deepEqual(tokenize('', name), []);
      assert.equal(countTokens('', name), 0);
    }
  });

  test('one piece of 200,000 tokens does not overflow the stack', () => {
    // r50k_base has no merge for U+0301's two bytes, so this is fast, and the marks after "a" are
    // one pre-tokenizer piece of 200,000 byte tokens (gpt-tokenizer's encode spreads a piece's ids
    // into push() arguments: "Maximum call stack size exceeded").
    const text = 'a' + '\u0301'.repeat(100_000);
    const ids = encode(text);
    assert.equal(ids.length, 200_001);
    assert.deepEqual(ids.slice(0, 3), [64, ...encode('\u0301')]);
    const spans = tokenize(text);
    assert.equal(spans.length, 200_001);
    assert.equal(spans.at(-1)!.end, text.length);
  });
});

// ---------------------------------------------------------------------------------------------
// Seeded fuzzer (test/harness/fuzz-text.ts): random mixtures of the characters that break naive offset code.

/** The characters of `text` (code points; lone surrogates count as one) with their UTF-8 start offsets. */
function charsWithByteOffsets(text: string): { start: number; end: number; byte: number }[] {
  const chars: { start: number; end: number; byte: number }[] = [];
  let unit = 0;
  let byte = 0;
  for (const ch of text) {
    chars.push({ start: unit, end: unit + ch.length, byte });
    unit += ch.length;
    byte += utf8.encode(ch).length;
  }
  return chars;
}

function checkTokenization(text: string, name: EncodingName, spans: TokenSpan[]): void {
  const where = `${name} ${JSON.stringify(text)}`;
  const textBytes = utf8.encode(text);

  // Concatenated token bytes are exactly the text's UTF-8.
  const tokenBytesList = spans.map((s) => Uint8Array.from(Buffer.from(s.bytes, 'hex')));
  assert.equal(spans.map((s) => s.bytes).join(''), hex(textBytes), `bytes ${where}`);
  for (const s of spans) assert.equal(s.bytes, hex(tokenBytes(s.id, name)), `bytes of id ${s.id} ${where}`);

  // Spans tile [0, text.length].
  let expectedStart = 0;
  for (const s of spans) {
    assert.equal(s.start, expectedStart, `tiling ${where}`);
    assert.ok(s.end >= s.start, `negative span ${where}`);
    expectedStart = s.end;
  }
  assert.equal(expectedStart, text.length, `tiling end ${where}`);

  // No boundary between a high and a low surrogate.
  for (const s of spans) {
    for (const b of [s.start, s.end]) {
      const splitsPair = b > 0 && b < text.length && isHighSurrogate(text.charCodeAt(b - 1)) && isLowSurrogate(text.charCodeAt(b));
      assert.ok(!splitsPair, `boundary ${b} splits a surrogate pair ${where}`);
    }
  }

  // partial exactly when the token's bytes start or end inside a character, and each span
  // covers exactly the characters whose first byte the token holds.
  const chars = charsWithByteOffsets(text);
  let byteStart = 0;
  spans.forEach((s, i) => {
    const byteEnd = byteStart + tokenBytesList[i]!.length;
    const inside = isContinuationByte(textBytes[byteStart]) || (byteEnd < textBytes.length && isContinuationByte(textBytes[byteEnd]));
    assert.equal(s.partial === true, inside, `partial of token ${i} ${where}`);
    assert.ok(s.partial === true || s.partial === undefined, `partial is true or absent ${where}`);
    const owned = chars.filter((c) => c.byte >= byteStart && c.byte < byteEnd);
    if (owned.length > 0) {
      assert.equal(s.start, owned[0]!.start, `span start of token ${i} ${where}`);
      assert.equal(s.end, owned[owned.length - 1]!.end, `span end of token ${i} ${where}`);
    } else {
      assert.equal(s.start, s.end, `continuation-only token ${i} must be empty ${where}`);
    }
    if (!inside) assert.equal(s.text, wellFormed(text.slice(s.start, s.end)), `text of token ${i} ${where}`);
    assert.equal(s.text, lenientDecoder.decode(tokenBytesList[i]), `display text of token ${i} ${where}`);
    byteStart = byteEnd;
  });

  // Decoding gives the text back, with lone surrogates replaced as TextEncoder does.
  const ids = spans.map((s) => s.id);
  assert.equal(decode(ids, name), lenientDecoder.decode(textBytes), `decode ${where}`);
  assert.deepEqual(encode(text, name), ids, `encode ${where}`);
  assert.equal(countTokens(text, name), ids.length, `count ${where}`);
}

describe('fuzzer', () => {
  const CASES_PER_ENCODING = 600;
  for (const name of ['r50k_base', 'cl100k_base', 'o200k_base'] as const) {
    test(`${CASES_PER_ENCODING} random texts in ${name}`, () => {
      const random = seededRandom(0x5eed + name.length);
      const nextPiece = makePieceGenerator(random);
      let partialTokens = 0;
      let emptySpans = 0;
      let loneSurrogates = 0;
      for (let i = 0; i < CASES_PER_ENCODING; i++) {
        const text = makeFuzzText(random, nextPiece);
        const spans = tokenize(text, name);
        checkTokenization(text, name, spans);
        partialTokens += spans.filter((s) => s.partial).length;
        emptySpans += spans.filter((s) => s.start === s.end).length;
        if (wellFormed(text) !== text) loneSurrogates++;
      }
      // The generator must actually reach the hard cases.
      assert.ok(partialTokens > 50, `only ${partialTokens} partial tokens`);
      assert.ok(loneSurrogates > 50, `only ${loneSurrogates} texts with lone surrogates`);
      if (name === 'r50k_base') assert.ok(emptySpans > 20, `only ${emptySpans} zero-length spans`);
    });
  }

  test('fixed hard cases', () => {
    const cases = ['\uD800', '\uDC00', '\uDC00\uD800', 'a\uD83D', '\uD83Db', '\uD83D\uDE00', '\0\0\r\n\t', '👨‍👩‍👧‍👦', 'é', 'e\u0301\u0302', '\uFFFD\uD800'];
    for (const name of ENCODING_NAMES) for (const text of cases) checkTokenization(text, name, tokenize(text, name));
  });
});

describe('in slices (the extension host tokenizes long texts without freezing)', () => {
  test('the same spans and counts as in one go, for random texts in every encoding', async () => {
    for (const name of ENCODING_NAMES) {
      const random = seededRandom(0xc0de + name.length);
      const nextPiece = makePieceGenerator(random);
      for (let i = 0; i < 150; i++) {
        const text = makeFuzzText(random, nextPiece);
        // sliceMs 0: a pause after every piece, so that span state crosses every boundary.
        const sliced = await tokenizeInSlices(text, name, { sliceMs: 0 });
        assert.deepEqual(sliced, tokenize(text, name), `${name} ${JSON.stringify(text)}`);
        assert.equal(await countTokensInSlices(text, name, { sliceMs: 0 }), countTokens(text, name));
      }
    }
  });

  test('pauses as soon as a slice has run sliceMs on the clock, and not before', async (t) => {
    // A clock that advances 1 ms each time it is read, instead of wall-clock time: the slicing
    // reads it once per piece and once after each pause, so every pause must come exactly
    // sliceMs + 1 readings after the previous one.
    let clock = 0;
    t.mock.method(performance, 'now', () => ++clock);
    const line = 'def handler(request, retries=3):  # naïve 你好 🙂 value_%\n';
    let text = '';
    for (let i = 0; text.length < 20_000; i++) text += line.replace('%', String(i * 7919));
    const sliceMs = 4;
    const stretches: number[] = [];
    let since = 0;
    const spans = await tokenizeInSlices(text, 'r50k_base', {
      sliceMs,
      pause: async () => {
        stretches.push(clock - since);
        since = clock;
      },
    });
    t.mock.restoreAll();
    assert.deepEqual(spans, tokenize(text));
    assert.ok(stretches.length > 100, `only ${stretches.length} pauses: is the clock performance.now()?`);
    assert.deepEqual(new Set(stretches), new Set([sliceMs + 1]), 'clock readings between pauses');
  });

  test('an aborted signal stops the work at the next pause with its reason', async () => {
    await assertAbortStopsAtNextPause((options) => countTokensInSlices('word '.repeat(50_000), 'r50k_base', options));
    await assertAbortStopsAtNextPause((options) => tokenizeInSlices('word '.repeat(50_000), 'r50k_base', options));
  });
});
