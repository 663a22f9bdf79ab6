import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignedContextStart, contextInWindow, hoverContext, hoverWindow, shiftContext, tokenIndexAt, type TextSource } from '../../src/hover/hover-context';
import { tokenize, encode } from '../../src/engine/tokenizer';

const source = (text: string): TextSource & { reads: number } => {
  const s = { length: text.length, reads: 0, read: (a: number, b: number) => { s.reads += b - a; return text.slice(a, b); } };
  return s;
};

test('the hovered token and its context are what tokenizing the text up to it gives', () => {
  const text = 'def fibonacci(n):\n    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)\n';
  const offset = text.indexOf('else') + 2;
  const ctx = hoverContext(source(text), offset, 256, tokenize)!;
  assert.equal(ctx.token.text, ' else');
  assert.equal(text.slice(ctx.token.start, ctx.token.end), ' else');
  assert.deepEqual(ctx.ids, encode(text.slice(0, ctx.token.end)));
  assert.equal(ctx.contextStart, 0);
});

test('context is capped at N tokens and reads only a window of a large document', () => {
  const line = 'x = compute(value, other) + 1\n';
  const text = line.repeat(50_000); // 1.5 MB
  const src = source(text);
  const offset = text.length - 10;
  const ctx = hoverContext(src, offset, 64, tokenize)!;
  assert.ok(ctx.ids.length > 32 && ctx.ids.length <= 64, `${ctx.ids.length} tokens of context`);
  assert.ok(src.reads < 1.5 * 64 * 8 + 4096 + 300, `read ${src.reads} characters`);
  assert.deepEqual(ctx.ids, encode(text.slice(ctx.contextStart, ctx.token.end)));
});

test('positions at the edges', () => {
  const text = 'hello world';
  assert.equal(hoverContext(source(text), 0, 10, tokenize)!.token.text, 'hello');
  assert.equal(hoverContext(source(text), text.length, 10, tokenize)!.token.text, ' world');
  assert.equal(hoverContext(source(''), 0, 10, tokenize), undefined);
  assert.equal(hoverContext(source(text), 99, 10, tokenize), undefined);
});

test('a character split across tokens belongs to the token holding its first byte', () => {
  const text = 'a 🤖 b';
  const tokens = tokenize(text);
  const i = tokenIndexAt(tokens, text.indexOf('🤖') + 1);
  assert.ok(tokens[i].end > tokens[i].start);
  assert.ok(tokens[i].start <= 2 && tokens[i].end >= 4);
});

test('split between threads: the host reads the window, the worker finds the context in it, the same result', () => {
  const line = 'result = transform(items, scale=2) + offset  # 注释 🙂\n';
  const text = line.repeat(400);
  for (const offset of [0, 5, text.length - 3, text.indexOf('注', 9000) + 1, text.indexOf('🙂', 5000) + 1]) {
    const window = hoverWindow(source(text), offset, 32)!;
    assert.equal(text.slice(window.start, window.start + window.text.length), window.text);
    assert.ok(window.start <= offset && offset <= window.start + window.text.length);
    const inWindow = contextInWindow(window.text, offset - window.start, 32, tokenize)!;
    assert.ok(inWindow.token.end <= window.text.length, 'window-relative offsets');
    assert.deepEqual(shiftContext(inWindow, window.start), hoverContext(source(text), offset, 32, tokenize), `at ${offset}`);
  }
  assert.equal(hoverWindow(source(text), text.length + 1, 32), undefined);
  assert.equal(hoverWindow(source(text), 0, 0), undefined);
});

test('the context starts on a grid of N/2 tokens, keeping more than N/2 and at most N', () => {
  for (const N of [1, 2, 7, 64, 256]) {
    for (let index = 0; index < 3 * N + 5; index++) {
      const first = alignedContextStart(index, N);
      const length = index + 1 - first;
      assert.ok(length <= N && (length > N / 2 || first === 0), `N ${N}, index ${index}: first ${first}`);
      assert.equal(first % Math.max(1, Math.floor(N / 2)), 0);
    }
  }
});

test('hovers near each other read the same first tokens, so the model can reuse their keys and values', () => {
  // A file whose lines all differ, as in the hover benchmark; the pointer moves down one line at a time.
  const lines = Array.from({ length: 2000 }, (_, i) => `    total_${i} = compute(request.items, discount=${(i % 13) / 10})`);
  const text = lines.join('\n');
  const N = 256;
  let shared = 0;
  let previous: ReturnType<typeof hoverContext>;
  const from = text.indexOf('total_1000');
  for (let line = 0; line < 100; line++) {
    const offset = text.indexOf('compute', from + line * 60);
    const ctx = hoverContext(source(text), offset, N, tokenize)!;
    assert.deepEqual(ctx.ids, encode(text.slice(ctx.contextStart, ctx.token.end)), `line ${line}: the context is the text before the pointer`);
    assert.ok(ctx.ids.length > N / 2 && ctx.ids.length <= N, `line ${line}: ${ctx.ids.length} tokens`);
    if (previous && previous.contextStart === ctx.contextStart) shared++;
    previous = ctx;
  }
  // One line is ~20 tokens: the token grid (128) moves every ~6 lines, the character grid (1,024) every ~17.
  assert.ok(shared >= 75, `${shared} of 99 moves kept the context's start`);
});
