// The command line's pure parts, in process: option parsing and JSON shaping.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { integerOption, parseOptions, type OptionSpec } from '../../src/cli/args';
import { UsageError } from '../../src/cli/errors';
import { readInputText } from '../../src/cli/input';
import { reshape, roundFloat32 } from '../../src/cli/json-output';

const SPECS: OptionSpec[] = [
  { name: 'text', kind: 'string' },
  { name: 'top-k', kind: 'string' },
  { name: 'attention', kind: 'flag' },
  { name: 'help', kind: 'flag' },
];

describe('parseOptions', () => {
  test('values, --name=value, flags, and values that look like options', () => {
    const args = parseOptions(['--text', '--attention', '--top-k=7', '--attention'], SPECS, 'analyze');
    assert.equal(args.values.get('text'), '--attention');
    assert.equal(args.values.get('top-k'), '7');
    assert.ok(args.flags.has('attention'));
    assert.equal(parseOptions(['--text', '-h'], SPECS, 'x').values.get('text'), '-h');
    assert.ok(parseOptions(['-h'], SPECS, 'x').flags.has('help'));
    assert.equal(parseOptions(['--text='], SPECS, 'x').values.get('text'), '');
  });

  test('every mistake is a UsageError naming the command', () => {
    const cases: [string[], RegExp][] = [
      [['--nope'], /unknown option --nope for 'analyze'/],
      [['--text'], /--text needs a value/],
      [['--attention=1'], /--attention takes no value/],
      [['--text', 'a', '--text', 'b'], /--text is given more than once/],
      [['stray'], /unexpected argument "stray"/],
      [['-x'], /unexpected argument "-x"/],
    ];
    for (const [argv, message] of cases) {
      assert.throws(() => parseOptions(argv, SPECS, 'analyze'), (e: unknown) => e instanceof UsageError && e.command === 'analyze' && message.test(e.message));
    }
  });

  test('integerOption checks the range', () => {
    const args = (v: string) => parseOptions(['--top-k', v], SPECS, 'analyze');
    assert.equal(integerOption(parseOptions([], SPECS, 'a'), 'top-k', 5, 1, 10, 'a'), 5);
    assert.equal(integerOption(args('10'), 'top-k', 5, 1, 10, 'a'), 10);
    for (const bad of ['0', '11', '2.5', 'ten', '', '-1', '1e3']) {
      assert.throws(() => integerOption(args(bad), 'top-k', 5, 1, 10, 'a'), /--top-k must be an integer from 1 to 10/, bad);
    }
  });
});

describe('input', () => {
  const stdin = (text: string, isTTY = false) => ({ isTTY, read: async () => new TextEncoder().encode(text) });
  test('stdin when piped, a usage error at a terminal, never both --text and --file', async () => {
    assert.equal(await readInputText(parseOptions([], SPECS, 'a'), 'a', stdin('\uFEFFpiped\r\n')), 'piped\r\n');
    assert.equal(await readInputText(parseOptions(['--text', 'given'], SPECS, 'a'), 'a', stdin('ignored')), 'given');
    await assert.rejects(() => readInputText(parseOptions([], SPECS, 'a'), 'a', stdin('', true)), /no input: give --text T, --file F, or pipe text on stdin/);
    const both = parseOptions(['--text', 'a'], SPECS, 'a');
    both.values.set('file', 'b');
    await assert.rejects(() => readInputText(both, 'a', stdin('')), /either --text or --file, not both/);
  });
});

describe('JSON shaping', () => {
  test('roundFloat32 keeps 7 significant digits and leaves non-finite values', () => {
    assert.equal(roundFloat32(Math.fround(0.1)), 0.1);
    assert.equal(roundFloat32(-1.2643170356750488), -1.264317);
    assert.equal(roundFloat32(1234567.89), 1234568);
    assert.equal(roundFloat32(-Infinity), -Infinity);
    assert.equal(roundFloat32(-0), 0);
  });

  test('reshape nests row-major values', () => {
    const flat = Float32Array.from({ length: 24 }, (_, i) => i);
    const nested = reshape(flat, [2, 3, 4]) as number[][][];
    assert.deepEqual(nested[1]![2], [20, 21, 22, 23]);
    assert.deepEqual(nested[0]![1], [4, 5, 6, 7]);
    assert.throws(() => reshape(flat, [5, 5]), /cannot reshape 24 values to \[5, 5\]/);
  });
});
