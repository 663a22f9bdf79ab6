// The llm-lens command line, run as users run it: the bundled dist file in a child process.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { seededRandom } from '../../src/engine/sampling';
import { FIXTURES, fixtureDir, readReference, type FixtureName } from './llama-family-fixtures';
import { pieceBytes, pieceText } from '../harness/byte-level';

const root = path.resolve(__dirname, '..', '..');
// Built next to dist/cli.mjs (so onnxruntime-web and the bundled model resolve the same way)
// but not over it, so that a build running beside the tests is never half-overwritten.
const cli = path.join(root, 'dist', 'test', 'cli.mjs');

interface Reference {
  name: string;
  text: string;
  ids: number[];
  top5: [number, number][][];
  target_logprob: number[];
}
const fixture: { refs: Reference[] } = JSON.parse(fs.readFileSync(path.join(root, 'test', 'fixtures', 'reference.json'), 'utf8'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], stdin: string | number = ''): Run {
  // A number is a file descriptor to give as stdin (e.g. /dev/zero opened by the test).
  const input: SpawnSyncOptions = typeof stdin === 'number' ? { stdio: [stdin, 'pipe', 'pipe'] } : { input: stdin };
  const result = spawnSync(process.execPath, [cli, ...args], { ...input, encoding: 'utf8', timeout: 120_000, maxBuffer: 512 * 2 ** 20, cwd: os.tmpdir() });
  // EPIPE: the CLI stopped reading stdin before its end, as it does past its size limit.
  if (result.error && (result.error as NodeJS.ErrnoException).code !== 'EPIPE') throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a command that must succeed and returns its parsed JSON (stdout must be nothing but JSON). */
function runJson<T = any>(args: string[], stdin = ''): T {
  const r = run(args, stdin);
  assert.equal(r.code, 0, `llm-lens ${args.join(' ')} failed: ${r.stderr}`);
  assert.equal(r.stderr, '', 'nothing on stderr without --debug');
  return JSON.parse(r.stdout) as T;
}

before(async () => {
  // The same options as the dist/cli.mjs target in scripts/build.mjs.
  await esbuild.build({
    entryPoints: [path.join(root, 'src', 'cli', 'main.ts')],
    outfile: cli,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['onnxruntime-web', 'onnxruntime-node'],
    banner: { js: '#!/usr/bin/env node\nimport { createRequire as __cr } from "node:module"; const require = __cr(import.meta.url);' },
    logLevel: 'warning',
  });
});

describe('llm-lens tokens', () => {
  test('JSON shape, offsets and partial tokens', () => {
    const text = 'Hi 你好 <|endoftext|>';
    const out = runJson(['tokens', '--text', text]);
    assert.equal(out.encoding, 'r50k_base');
    assert.deepEqual(Object.keys(out), ['encoding', 'tokens']);
    assert.deepEqual(Object.keys(out.tokens[0]), ['id', 'text', 'start', 'end', 'bytes']);
    assert.deepEqual(out.tokens.map((t: { id: number }) => t.id), [17250, 220, 19526, 254, 25001, 121, 1279, 91, 437, 1659, 5239, 91, 29]);
    let at = 0;
    for (const t of out.tokens) {
      assert.equal(t.start, at);
      at = t.end;
    }
    assert.equal(at, text.length);
    assert.deepEqual(out.tokens[2], { id: 19526, text: '\uFFFD', start: 3, end: 4, bytes: 'e4bd', partial: true });
    assert.deepEqual(out.tokens[3], { id: 254, text: '\uFFFD', start: 4, end: 4, bytes: 'a0', partial: true });
    assert.equal(out.tokens[0].partial, undefined);
  });

  test('other encodings, stdin and --file', () => {
    const text = 'Hello world, 🙂\r\n\tdone';
    const cl100k = runJson(['tokens', '--encoding', 'cl100k_base'], text);
    assert.equal(cl100k.encoding, 'cl100k_base');
    assert.equal(cl100k.tokens[0].id, 9906); // "Hello" in cl100k_base
    assert.equal(cl100k.tokens.map((t: { text: string }) => t.text).join(''), text);

    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-cli-')), 'input.txt');
    fs.writeFileSync(file, '\uFEFF' + text); // the byte-order mark is not part of the text
    const fromFile = runJson(['tokens', '--file', file, '--encoding=o200k_base']);
    assert.equal(fromFile.encoding, 'o200k_base');
    assert.equal(fromFile.tokens.at(-1).end, text.length);
    assert.equal(fromFile.tokens.map((t: { text: string }) => t.text).join(''), text);
  });

  test('bad command lines exit 2 with the usage; runtime failures exit 1; one line, no stack', () => {
    const unknown = run(['tokens', '--text', 'x', '--frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /^llm-lens: unknown option --frobnicate for 'tokens' \(usage: llm-lens tokens .*--encoding.*\)\n$/);
    assert.equal(unknown.stdout, '');

    for (const args of [[], ['tokenz'], ['tokens', '--text'], ['tokens', '--text', 'a', '--file', 'b'], ['tokens', '--encoding', 'p50k', '--text', 'a'], ['tokens', '--model', '.', '--encoding', 'r50k_base', '--text', 'a'], ['analyze', '--top-k', 'ten', '--text', 'a'], ['neighbours']]) {
      const r = run(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
      assert.match(r.stderr, /usage: llm-lens/);
    }

    const missing = run(['tokens', '--file', path.join(os.tmpdir(), 'no-such-file-llm-lens.txt')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^llm-lens: cannot read .*no-such-file-llm-lens\.txt: no such file\n$/);

    const help = run(['--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /llm-lens analyze/);
  });
});

describe('llm-lens analyze', () => {
  test('a reference prompt: ids, top-5 and target scores match Hugging Face', () => {
    const ref = fixture.refs.find((r) => r.text === 'Returns the number of elements in the list.')!;
    const out = runJson(['analyze', '--text', ref.text]);
    assert.equal(out.model, 'tiny-gpt2-software');
    assert.equal(out.backend.name, 'wasm');
    assert.deepEqual(out.ids, ref.ids);
    assert.deepEqual(out.tokens.map((t: { id: number }) => t.id), ref.ids);
    assert.equal(out.positions.length, ref.ids.length);
    out.positions.forEach((p: { top: [number, number][]; target: { id: number; logprob: number; rank: number } | null; entropy: number }, t: number) => {
      assert.deepEqual(p.top.map(([id]) => id), ref.top5[t]!.map(([id]) => id), `top-5 ids at ${t}`);
      p.top.forEach(([, lp], i) => assert.ok(Math.abs(lp - ref.top5[t]![i]![1]) < 2e-3, `logprob at ${t}`));
      if (t === ref.ids.length - 1) {
        assert.equal(p.target, null);
      } else {
        assert.equal(p.target!.id, ref.ids[t + 1]);
        assert.ok(Math.abs(p.target!.logprob - ref.target_logprob[t]!) < 2e-3, `target logprob at ${t}`);
        assert.ok(p.target!.rank >= 1);
      }
      assert.ok(p.entropy > 0);
    });
    assert.equal(out.attention, undefined);
    assert.equal(out.truncated, undefined);
  });

  test('--attention and --hidden shapes; whitespace-only text is analysed', () => {
    const out = runJson(['analyze', '--top-k', '2', '--attention', '--hidden'], '  \n');
    const T = out.ids.length;
    assert.ok(T >= 1);
    assert.equal(out.positions[0].top.length, 2);
    assert.equal(out.attention.length, 6); // layers
    assert.equal(out.attention[0].length, 6); // heads
    assert.equal(out.attention[0][0].length, T);
    for (const row of out.attention[5][3]) assert.ok(Math.abs(row.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-5);
    assert.equal(out.hidden.length, 7); // embedding + 6 blocks
    assert.equal(out.hidden[0].length, T);
    assert.equal(out.hidden[0][0].length, 192);
  });

  test('text longer than the context: all tokens listed, the last 512 analysed', () => {
    const text = 'x = 1\n'.repeat(200); // 800 tokens
    const out = runJson(['analyze', '--text', text, '--top-k', '1']);
    assert.equal(out.tokens.length, 800);
    assert.equal(out.ids.length, 512);
    assert.deepEqual(out.truncated, { totalTokens: 800, droppedTokens: 288, keptTokens: 512 });
    assert.deepEqual(out.ids, out.tokens.slice(288).map((t: { id: number }) => t.id));
  });

  test('empty text is a clear error', () => {
    const r = run(['analyze', '--text', '']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'llm-lens: nothing to analyse: the text is empty\n');
    assert.equal(r.stdout, '');
  });
});

describe('llm-lens neighbours', () => {
  test('" function": itself first, then the reference neighbours', () => {
    const out = runJson(['neighbours', '--token', ' function', '--k', '5']);
    assert.deepEqual(out.token, { id: 2163, text: ' function' });
    assert.equal(out.neighbours.length, 6);
    assert.deepEqual(out.neighbours.slice(0, 3).map(([id]: [number]) => id), [2163, 5499, 2446]);
    assert.deepEqual(out.neighbours[1].slice(0, 2), [5499, ' functions']);
    assert.ok(Math.abs(out.neighbours[1][2] - 0.70475) < 1e-3);
  });

  test('a --token of several tokens says how many', () => {
    const r = run(['neighbours', '--token', ' functional programming']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^llm-lens: --token " functional programming" is 2 tokens in r50k_base \(10345, 8300\), not one/);
  });
});


/** Display texts of a folder's tokenizer.json, read directly: vocabulary pieces decoded, added tokens by name. */
function vocabularyTexts(name: FixtureName): (id: number) => string | undefined {
  const json = JSON.parse(fs.readFileSync(path.join(fixtureDir(name), 'tokenizer.json'), 'utf8'));
  const texts = new Map<number, string>();
  for (const [piece, id] of Object.entries<number>(json.model.vocab)) texts.set(id, pieceText(piece));
  for (const added of json.added_tokens) texts.set(added.id, added.content);
  return (id) => texts.get(id);
}

/** The reference's token pieces as UTF-8 hex; the tokens the tokenizer adds (BOS) as their name's bytes. */
const referenceBytes = (pieces: string[], specialIds: ReadonlySet<number>, ids: number[]) =>
  pieces.map((piece, i) => Buffer.from(specialIds.has(ids[i]!) ? new TextEncoder().encode(piece) : pieceBytes(piece)).toString('hex'));

const LOGPROB_TOLERANCE = 2e-3;
/** Reference candidates closer than this are a tie that float32 may order either way. */
const NEAR_TIE = 2e-3;

interface FamilyPrompt {
  name: string;
  text: string;
  ids: number[];
  tokens: string[];
  top6: [number, number][][];
  target_logprob: number[];
}

// Hugging Face folders of every family (test/fixtures/models/README-llama-family.md): the model's
// own tokenizer for every command, and the numbers of its float64 reference.
describe('llm-lens --model with a Hugging Face folder (qwen3, qwen2, llama)', () => {
  /** One prompt per fixture for analyze (each runs the model); together they cover every script. */
  const ANALYZED: Record<FixtureName, string> = { 'tiny-random-qwen3': 'chinese', 'tiny-random-qwen2': 'emoji_crlf', 'tiny-random-llama': 'python' };
  /** Llama's tokenizer_config.json sets add_bos_token: id 0 comes first. */
  const BOS: Record<FixtureName, number | undefined> = { 'tiny-random-qwen3': undefined, 'tiny-random-qwen2': undefined, 'tiny-random-llama': 0 };

  for (const name of FIXTURES) {
    const reference = readReference(name) as unknown as { refs: FamilyPrompt[]; neighbours: Record<string, [number, number][]> };
    const bos = BOS[name];
    const specialIds = new Set(bos === undefined ? [] : [bos]);

    test(`${name}: tokens --model gives the reference ids of every prompt, BOS marked special`, () => {
      for (const ref of reference.refs) {
        const out = runJson(['tokens', '--model', fixtureDir(name), '--text', ref.text]);
        assert.deepEqual(Object.keys(out), ['model', 'tokens']);
        assert.equal(out.model, name);
        assert.deepEqual(out.tokens.map((t: { id: number }) => t.id), ref.ids, ref.name);
        assert.deepEqual(out.tokens.map((t: { bytes: string }) => t.bytes), referenceBytes(ref.tokens, specialIds, ref.ids), `${ref.name}: bytes`);
        const special = out.tokens.filter((t: { special?: boolean }) => t.special);
        if (bos === undefined) {
          assert.deepEqual(special, [], `${ref.name}: nothing added`);
        } else {
          assert.equal(out.tokens[0].id, bos);
          assert.deepEqual(special, [out.tokens[0]], `${ref.name}: only the BOS is special`);
          assert.deepEqual([out.tokens[0].start, out.tokens[0].end], [0, 0], `${ref.name}: the BOS stands for no text`);
        }
        assert.equal(out.tokens.at(-1).end, ref.text.length);
      }
    });

    test(`${name}: analyze --model matches the reference (top-5 ids across near-ties, target log-probabilities)`, () => {
      const ref = reference.refs.find((r) => r.name === ANALYZED[name])!;
      const out = runJson(['analyze', '--model', fixtureDir(name), '--text', ref.text]);
      assert.equal(out.model, name);
      assert.deepEqual(out.ids, ref.ids);
      assert.deepEqual(out.tokens.map((t: { id: number }) => t.id), ref.ids);
      assert.deepEqual(out.tokens.map((t: { bytes: string }) => t.bytes), referenceBytes(ref.tokens, specialIds, ref.ids));
      assert.equal(out.truncated, undefined);
      assert.equal(out.positions.length, ref.ids.length);
      out.positions.forEach((p: { top: [number, number][]; target: { id: number; logprob: number } | null }, t: number) => {
        const expected = ref.top6[t]!;
        assert.equal(p.top.length, 5);
        p.top.forEach(([id, lp], j) => {
          assert.ok(Math.abs(lp - expected[j]![1]) <= LOGPROB_TOLERANCE, `logprob ${j} at ${t}: ${lp} vs ${expected[j]![1]}`);
          if (id === expected[j]![0]) return;
          // A different id at rank j must be one the reference puts within a near-tie of rank j.
          const there = expected.find(([other]) => other === id);
          assert.ok(there && Math.abs(there[1] - expected[j]![1]) < NEAR_TIE, `top id ${j} at ${t}: ${id}, reference ${JSON.stringify(expected)}`);
        });
        if (t === ref.ids.length - 1) return assert.equal(p.target, null);
        assert.equal(p.target!.id, ref.ids[t + 1]);
        assert.ok(Math.abs(p.target!.logprob - ref.target_logprob[t]!) <= LOGPROB_TOLERANCE, `target at ${t}: ${p.target!.logprob} vs ${ref.target_logprob[t]}`);
      });
    });
  }

  /** Runs neighbours and checks the ids against the reference and every text against tokenizer.json. */
  function assertReferenceNeighbours(name: FixtureName, args: string[], id: number) {
    const expected = readReference(name).neighbours[String(id)]!;
    const out = runJson(['neighbours', '--model', fixtureDir(name), '--k', String(expected.length - 1), ...args]);
    const text = vocabularyTexts(name);
    assert.deepEqual(out.token, { id, text: text(id) });
    assert.deepEqual(out.neighbours.map(([n]: [number]) => n), expected.map(([n]) => n));
    for (const [n, shown] of out.neighbours as [number, string][]) {
      const whole = text(n);
      // A token holding part of a character shows U+FFFD where the part is (however many bytes it is).
      if (whole === undefined) assert.equal(shown, `<${n}>`);
      else if (whole.includes('\uFFFD')) assert.match(shown, /\uFFFD/, `text of ${n}`);
      else assert.equal(shown, whole, `text of ${n}`);
    }
  }

  test('neighbours --model --id: the reference neighbours, texts from the model\'s tokenizer', () => {
    assertReferenceNeighbours('tiny-random-qwen3', ['--id', '262'], 262); // r50k_base's " the", Qwen's three spaces
    assertReferenceNeighbours('tiny-random-qwen2', ['--id', '99360'], 99360); // 把, past r50k_base's ids
  });

  test('neighbours --model --token: one token of a tokenizer that adds a BOS', () => {
    assertReferenceNeighbours('tiny-random-llama', ['--token', '\n'], 201);
  });

  test('an id past the tokenizer (Qwen pads its embedding to 151,936 rows) shows as "<id>"', () => {
    const out = runJson(['neighbours', '--model', fixtureDir('tiny-random-qwen3'), '--id', '151935', '--k', '1']);
    assert.deepEqual(out.token, { id: 151935, text: '<151935>' });
    assert.deepEqual(out.neighbours[0].slice(0, 2), [151935, '<151935>']);
  });

  test('bad input: --model with --encoding, a folder without tokenizer.json, a --token of two tokens', () => {
    const both = run(['tokens', '--model', fixtureDir('tiny-random-qwen3'), '--encoding', 'cl100k_base', '--text', 'x']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^llm-lens: give either --model \(the model's own tokenizer\) or --encoding \(an OpenAI encoding\), not both \(usage: llm-lens tokens [^\n]+\)\n$/);
    assert.equal(both.stdout, '');

    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-cli-no-tokenizer-'));
    try {
      fs.copyFileSync(path.join(fixtureDir('tiny-random-llama'), 'config.json'), path.join(folder, 'config.json'));
      fs.symlinkSync(path.join(fixtureDir('tiny-random-llama'), 'model.safetensors'), path.join(folder, 'model.safetensors'));
      const missing = `llm-lens: ${path.join(folder, 'tokenizer.json')} is missing: a llama model reads text with its own tokenizer\n`;
      for (const args of [['tokens', '--text', 'x'], ['analyze', '--text', 'x'], ['neighbours', '--id', '5']]) {
        const r = run([...args, '--model', folder]);
        assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
        assert.equal(r.stderr, missing);
        assert.equal(r.stdout, '');
      }
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }

    // " reads each" is two tokens of the English prompt in the reference.
    const english = (readReference('tiny-random-qwen3') as unknown as { refs: FamilyPrompt[] }).refs.find((r) => r.name === 'english')!;
    const at = english.tokens.indexOf('Ġreads');
    assert.deepEqual(english.tokens.slice(at, at + 2), ['Ġreads', 'Ġeach']);
    const two = run(['neighbours', '--model', fixtureDir('tiny-random-qwen3'), '--token', ' reads each']);
    assert.equal(two.code, 1);
    assert.equal(two.stdout, '');
    assert.equal(
      two.stderr,
      `llm-lens: --token " reads each" is 2 tokens in the tokenizer of tiny-random-qwen3 (${english.ids[at]}, ${english.ids[at + 1]}), not one; pick one of them with --id, or try a shorter text (a leading space is part of most word tokens: " word")\n`,
    );
  });
});

// The extension's guards hold on the command line too: text the tokenizer would take minutes on,
// text over the size limit, and files that are not files are refused with one line and exit 1,
// before any tokenizing (or model loading). Each of these ran for minutes, ran out of memory or
// overflowed the stack before the guards.
describe('llm-lens refuses what it cannot read or tokenize quickly', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-cli-guard-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  /** One line on stderr that matches `message`, exit code 1, nothing on stdout. */
  function assertRefused(r: Run, message: RegExp) {
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^llm-lens: [^\n]+\n$/, 'one line');
    assert.match(r.stderr, message);
  }
  const slow = (run: string) => new RegExp(`^llm-lens: cannot tokenize the text: it holds a run of ${run} characters of one kind \\(letters, digits, symbols or whitespace\\) with nothing to break it, from offset \\d+; byte-pair encoding takes time quadratic in a run's length, so it would take too long\\. Break the run up or leave it out\\n$`);

  test('one unbroken megabyte of letters, digits or punctuation', () => {
    assertRefused(run(['tokens', '--file', write('letters.txt', 'a'.repeat(1_000_000))]), slow('1,000,000'));
    assertRefused(run(['tokens', '--encoding', 'o200k_base'], '7'.repeat(1_000_000)), slow('1,000,000'));
    assertRefused(run(['analyze', '--file', write('dashes.txt', `x = "${'-'.repeat(1_000_000)}"`)]), slow('1,000,002'));
  });

  test('100,000 ZWJ emoji families, a + 100,000 combining accents, 20,000 U+FFFD', () => {
    assertRefused(run(['tokens', '--file', write('families.txt', '👨‍👩‍👧‍👦'.repeat(100_000))]), slow('1,100,000'));
    assertRefused(run(['tokens', '--encoding', 'cl100k_base'], 'a' + '\u0301'.repeat(100_000)), slow('100,001'));
    assertRefused(run(['analyze'], '\uFFFD'.repeat(20_000)), slow('20,000'));
  });

  test('--token of neighbours goes through the same guard', () => {
    const r = run(['neighbours', '--token', 'x'.repeat(100_000)]);
    assertRefused(r, /^llm-lens: cannot tokenize --token: it holds a run of 100,000 characters of one kind/);
  });

  test('text over 2,000,000 characters: 10 MB of random Unicode on stdin, or a 7 MB file', () => {
    const random = seededRandom(7);
    const characters = Array.from({ length: 3_600_000 }, () => String.fromCodePoint(0x20 + Math.floor(random() * 0x2fff)));
    const tooLong = /^llm-lens: the text is longer than 2,000,000 characters, the most llm-lens reads; split it into parts\n$/;
    const text = characters.join('');
    assert.ok(Buffer.byteLength(text) > 10_000_000);
    assertRefused(run(['tokens'], text), tooLong);
    assertRefused(run(['tokens', '--file', write('big.txt', 'ab '.repeat(2_400_000))]), tooLong);
  });

  test('--file that is /dev/zero, a FIFO or a folder; /dev/zero on stdin', () => {
    const notRegular = (file: string) => new RegExp(`^llm-lens: ${file} is not a regular file \\(it is a device, a pipe or a socket\\), so it is not read; pipe its text on stdin instead\\n$`);
    assertRefused(run(['tokens', '--file', '/dev/zero']), notRegular('/dev/zero'));
    const fifo = path.join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // A writer waits for a reader, so that a CLI that opens the FIFO reads a word instead of waiting forever.
    const writer = spawn(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(fifo)}, 'word')`], { stdio: 'ignore' });
    try {
      assertRefused(run(['analyze', '--file', fifo]), notRegular(fifo));
    } finally {
      writer.kill();
    }
    assertRefused(run(['tokens', '--file', dir]), new RegExp(`^llm-lens: cannot read ${dir}: it is a folder\\n$`));
    const zero = fs.openSync('/dev/zero', 'r');
    try {
      assertRefused(run(['tokens'], zero), /^llm-lens: the text is longer than 2,000,000 characters/);
    } finally {
      fs.closeSync(zero);
    }
  });

  test('a megabyte of ordinary code is tokenized', () => {
    const source = fs.readFileSync(path.join(root, 'src', 'engine', 'tokenizer.ts'), 'utf8');
    const code = source.repeat(Math.ceil(1_000_000 / source.length));
    const out = runJson(['tokens', '--file', write('code.ts', code)]);
    assert.equal(out.tokens.at(-1).end, code.length);
  });
});

