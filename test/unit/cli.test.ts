// The llm-lens command line, run as users run it: the bundled dist file in a child process.
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { seededRandom } from '../../src/engine/sampling';
import { FIXTURES, fixtureDir, readReference, type FixtureName } from './llama-family-fixtures';
import { pieceBytes, pieceText } from '../harness/byte-level';
import { startFakeHub, TEST_TOKEN, type FakeHub } from '../harness/hub-server';

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

// Hugging Face folders of every family (test/fixtures/models/README-llama-family.md): the model's
// own tokenizer for every command, and the numbers of its float64 reference.
describe('llm-lens --model with a Hugging Face folder (qwen3, qwen2, llama)', () => {
  /** One prompt per fixture for analyze (each runs the model); together they cover every script. */
  const ANALYZED: Record<FixtureName, string> = { 'tiny-random-qwen3': 'chinese', 'tiny-random-qwen2': 'emoji_crlf', 'tiny-random-llama': 'python' };
  /** Llama's tokenizer_config.json sets add_bos_token: id 0 comes first. */
  const BOS: Record<FixtureName, number | undefined> = { 'tiny-random-qwen3': undefined, 'tiny-random-qwen2': undefined, 'tiny-random-llama': 0 };

  for (const name of FIXTURES) {
    const reference = readReference(name);
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
    const english = readReference('tiny-random-qwen3').refs.find((r) => r.name === 'english')!;
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


// Models from a hub: the local hub of test/harness/hub-server.ts serves the Qwen3 fixture, the
// CLI runs with HF_ENDPOINT pointing at it and HF_HUB_CACHE at a fresh folder. The CLI runs
// asynchronously here: the hub answers from this process.
describe('llm-lens download and --model ID (a local hub)', () => {
  const ID = 'llm-lens-test/tiny-qwen3';
  let hub: FakeHub;
  let home: string;
  let env: Record<string, string>;

  function runAsync(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [cli, ...args], { cwd: os.tmpdir(), env: { ...process.env, ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  async function runHubJson(args: string[], extraEnv: Record<string, string> = {}): Promise<any> {
    const r = await runAsync(args, extraEnv);
    assert.equal(r.code, 0, `llm-lens ${args.join(' ')} failed: ${r.stderr}`);
    assert.equal(r.stderr, '', 'nothing on stderr (not a terminal)');
    return JSON.parse(r.stdout);
  }

  before(async () => {
    hub = await startFakeHub();
    hub.addFixture(ID, fixtureDir('tiny-random-qwen3'));
    hub.addFixture('llm-lens-test/gated', fixtureDir('tiny-random-qwen3'), { gated: true });
    hub.addRepo('llm-lens-test/pickled', { 'config.json': fs.readFileSync(path.join(fixtureDir('tiny-random-qwen3'), 'config.json')), 'pytorch_model.bin': 'pickle' });
  });
  after(() => hub.close());
  beforeEach(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-cli-hub-'));
    // HF_HOME in the temporary folder: no token file of this machine's user is read.
    env = { HF_ENDPOINT: hub.endpoint, HF_HUB_CACHE: path.join(home, 'hub'), HF_HOME: home, HF_TOKEN: '', HF_HUB_OFFLINE: '' };
    hub.requests.length = 0;
  });
  afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

  test('download ID: the snapshot in HF_HUB_CACHE, as JSON; the second time nothing is downloaded', async () => {
    const first = await runHubJson(['download', ID]);
    const commit = hub.repo(ID).commit;
    assert.deepEqual(first, {
      id: ID,
      revision: 'main',
      commit,
      folder: path.join(home, 'hub', 'models--llm-lens-test--tiny-qwen3', 'snapshots', commit),
      files: ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'],
      downloadedBytes: ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json'].reduce((sum, f) => sum + fs.statSync(path.join(fixtureDir('tiny-random-qwen3'), f)).size, 0),
    });
    const second = await runHubJson(['download', ID, '--revision', commit]);
    assert.equal(second.downloadedBytes, 0);
    assert.equal(second.folder, first.folder);
  });

  test('--model ID in tokens, analyze and neighbours: downloaded once, then read from the cache; the same results as the folder', async () => {
    const text = '你好，世界. Hello';
    const fromHub = await runHubJson(['tokens', '--model', ID, '--text', text]);
    const fromFolder = runJson(['tokens', '--model', fixtureDir('tiny-random-qwen3'), '--text', text]);
    assert.deepEqual(fromHub.tokens, fromFolder.tokens);
    assert.equal(fromHub.model, ID, 'a hub model is called by its id');
    const sent = hub.fileBytesSent();
    assert.ok(sent > 0);
    const analysed = await runHubJson(['analyze', '--model', ID, '--text', text]);
    assert.deepEqual(analysed.positions, runJson(['analyze', '--model', fixtureDir('tiny-random-qwen3'), '--text', text]).positions);
    const neighbours = await runHubJson(['neighbours', '--model', ID, '--id', '5']);
    assert.deepEqual(neighbours.neighbours, runJson(['neighbours', '--model', fixtureDir('tiny-random-qwen3'), '--id', '5']).neighbours);
    assert.equal(hub.fileBytesSent(), sent, 'the later commands downloaded nothing');
    // Offline, the cache is enough.
    hub.requests.length = 0;
    await runHubJson(['tokens', '--model', ID, '--text', text], { HF_HUB_OFFLINE: '1' });
    assert.equal(hub.requests.length, 0);
  });

  test('failures: a non-zero exit and one line saying why', async () => {
    const cases: [string[], Record<string, string>, number, RegExp][] = [
      [['tokens', '--model', ID, '--text', 'x'], { HF_HUB_OFFLINE: '1' }, 1, /^llm-lens: HF_HUB_OFFLINE is set and llm-lens-test\/tiny-qwen3 is not in the Hugging Face cache \(.*\): unset it to download the model\n$/],
      [['download', 'llm-lens-test/no-such-model'], {}, 1, /^llm-lens: llm-lens-test\/no-such-model was not found on the hub \(or the revision does not exist\)\n$/],
      [['download', 'llm-lens-test/gated'], {}, 1, /^llm-lens: llm-lens-test\/gated is gated or private: the hub wants a Hugging Face access token to download it\n$/],
      [['download', 'llm-lens-test/pickled'], {}, 1, /^llm-lens: llm-lens-test\/pickled has its weights only as pytorch_model\.bin, a Python pickle, which LLM Lens never downloads or loads/],
      [['download', ID], { HF_ENDPOINT: 'http://127.0.0.1:9' }, 1, /^llm-lens: Cannot reach http:\/\/127\.0\.0\.1:9: .+\n$/],
      [['download', 'not/a/model'], {}, 2, /^llm-lens: "not\/a\/model" is not a Hugging Face model id: .* \(usage: llm-lens download ID \[--revision R\]; see llm-lens --help\)\n$/],
      [['download'], {}, 2, /^llm-lens: give the model id to download/],
      [['analyze', '--model', 'Qwen//x', '--text', 'x'], {}, 1, /^llm-lens: --model "Qwen\/\/x" is not a folder, and "Qwen\/\/x" is not a Hugging Face model id/],
      [['tokens', '--model', './no-such-folder', '--text', 'x'], {}, 1, /^llm-lens: model folder .*no-such-folder does not exist or is not a folder\n$/],
    ];
    for (const [args, extraEnv, code, message] of cases) {
      const r = await runAsync(args, extraEnv);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
  });

  test('a gated model with HF_TOKEN, or with the token file `hf auth login` writes', async () => {
    const withEnv = await runHubJson(['download', 'llm-lens-test/gated'], { HF_TOKEN: TEST_TOKEN });
    assert.ok(withEnv.downloadedBytes > 0);
    fs.rmSync(path.join(home, 'hub'), { recursive: true });
    fs.writeFileSync(path.join(home, 'token'), `${TEST_TOKEN}\n`);
    const withFile = await runHubJson(['download', 'llm-lens-test/gated']);
    assert.ok(withFile.downloadedBytes > 0);
    assert.ok(hub.requests.filter((r) => r.server === 'hub').every((r) => r.authorization === `Bearer ${TEST_TOKEN}`));
  });
});
