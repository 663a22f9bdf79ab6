// The hover's model work on a GPT-2-small-shaped checkpoint, as the model worker does it: the
// host's window (hoverWindow), the context in it (contextInWindow, the real GPT-2 tokenizer),
// then predictLast, on one WASM thread. Two figures: a cold hover (a region nothing has read),
// and hovers moving within a region already read (other positions, so no exact cache hits).
import type { OrtLike } from '../src/engine/engine';
import { LensEngine } from '../src/engine/engine';
import { contextInWindow, hoverWindow, tokenIndexAt, type TextSource } from '../src/hover/hover-context';
import { tokenize } from '../src/engine/tokenizer';
import { randomGpt2Small } from './random-checkpoint';
import { median, round } from './timing';

const CONTEXT_TOKENS = 256;
const COLD_HOVERS = 5;
const READING_HOVERS = 12;
const NEARBY_HOVERS = 60;
/** Nearby hovers timed again with the context of exactly the last 256 tokens (before the grid). */
const UNALIGNED_HOVERS = 5;

/** The hover benchmark's file: 5,000 lines of Python that all differ. */
function pythonFile(): string {
  const lines: string[] = [];
  for (let i = 0; lines.length < 5000; i++) {
    lines.push(`def handler_${i}(request, retries=${i % 7}):`, `    """Handle request ${i} and return its status."""`, `    total_${i} = compute(request.items, discount=${(i % 13) / 10})`, `    return total_${i} if total_${i} > ${i} else None`, '');
  }
  return lines.join('\n');
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A fixed pseudo-random sequence in [0, 1). */
function sequence(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

export async function gpt2SmallHover(ort: OrtLike): Promise<Record<string, unknown>> {
  const text = pythonFile();
  const source: TextSource = { length: text.length, read: (a, b) => text.slice(a, b) };
  const loadStart = performance.now();
  const { checkpoint } = randomGpt2Small();
  const engine = await LensEngine.create(checkpoint, { ort, backend: 'wasm', wasmThreads: 1 });
  await engine.prepare(['hover']);
  const readyMs = performance.now() - loadStart;

  const hoverAt = async (offset: number) => {
    const window = hoverWindow(source, offset, CONTEXT_TOKENS)!;
    const started = performance.now();
    const context = contextInWindow(window.text, offset - window.start, CONTEXT_TOKENS, (t) => tokenize(t))!;
    const read = engine.trunkTokensRead;
    await engine.predictLast(context.ids, { topK: 10 });
    return { ms: performance.now() - started, tokensRead: engine.trunkTokensRead - read, contextTokens: context.ids.length };
  };

  // Warm-up: the first runs of a session allocate and compile lazily.
  await hoverAt(text.length / 10);
  await hoverAt(text.length / 10 + 40);

  // Cold: each in a part of the file nothing has read.
  const cold = [];
  for (let i = 0; i < COLD_HOVERS; i++) cold.push(await hoverAt(Math.floor(text.length * (0.2 + 0.15 * i))));

  // Nearby: the pointer first moves down through a region line by line (reading it), then jumps
  // around inside it, at a random line and column of the ~25 lines read.
  const random = sequence(7);
  const regionStart = text.indexOf('\n', Math.floor(text.length * 0.9)) + 1;
  const lineStarts = [regionStart];
  while (lineStarts.length < 26) lineStarts.push(text.indexOf('\n', lineStarts.at(-1)!) + 1);
  const reading = [];
  for (let i = 0; i < READING_HOVERS; i++) reading.push(await hoverAt(lineStarts[2 * i + 1]! + 6));
  const nearby = [];
  for (let i = 0; i < NEARBY_HOVERS; i++) {
    const line = Math.floor(random() * 25);
    const width = lineStarts[line + 1]! - 1 - lineStarts[line]!;
    nearby.push(await hoverAt(lineStarts[line]! + Math.floor(random() * Math.max(1, width))));
  }
  // The same kind of hovers with the context's start at exactly 256 tokens before the pointer,
  // as before the grid: every move shifts the start, so nothing is shared.
  const unaligned = [];
  for (let i = 0; i < UNALIGNED_HOVERS; i++) {
    const offset = lineStarts[3 + 4 * i]! + 10;
    const window = hoverWindow(source, offset, CONTEXT_TOKENS)!;
    const started = performance.now();
    const tokens = tokenize(window.text);
    const index = tokenIndexAt(tokens, offset - window.start);
    await engine.predictLast(tokens.slice(Math.max(0, index + 1 - CONTEXT_TOKENS), index + 1).map((t) => t.id), { topK: 10 });
    unaligned.push({ ms: performance.now() - started });
  }
  // Generation at context 256: a token appended to text the engine has just read (its keys and
  // values cached) against the same 257 tokens read afresh.
  const full: number[] = [];
  const step: number[] = [];
  for (let i = 0; i < 3; i++) {
    const next = sequence(900 + i);
    const ids = Array.from({ length: 258 }, () => Math.floor(next() * 50256));
    let started = performance.now();
    await engine.predictLast(ids.slice(0, 257), { topK: 10 });
    full.push(performance.now() - started);
    started = performance.now();
    await engine.predictLast(ids, { topK: 10 });
    step.push(performance.now() - started);
  }
  await engine.dispose();

  const ms = (xs: { ms: number }[]) => xs.map((x) => round(x.ms));
  return {
    hover_gpt2s_cold_p95_ms: round(percentile(ms(cold), 95)),
    hover_gpt2s_nearby_p95_ms: round(percentile(ms(nearby), 95)),
    hover_gpt2s_nearby_median_ms: round(median(ms(nearby))),
    hover_gpt2s_nearby_unaligned_median_ms: round(median(ms(unaligned))),
    gen_gpt2s_step_ctx256_ms: round(median(step)!),
    gen_kv_speedup_gpt2s_ctx256: round(median(full)! / median(step)!, 1),
    hover_gpt2s_grid_speedup_median: round(median(ms(unaligned)) / median(ms(nearby)), 1),
    details_gpt2s_hover: {
      method: `random GPT-2-small-shaped checkpoint (fp16 file, fp32 in the runtime), onnxruntime-web WASM, 1 thread; hover context up to ${CONTEXT_TOKENS} tokens on a grid of ${CONTEXT_TOKENS / 2}; ${COLD_HOVERS} cold hovers in unread parts of a 5,000-line Python file; then ${READING_HOVERS} hovers moving down every other line of a 25-line region, then ${NEARBY_HOVERS} at random lines and columns of it; then ${UNALIGNED_HOVERS} of them with the context at exactly the last ${CONTEXT_TOKENS} tokens (no grid)`,
      ready_ms: round(readyMs),
      cold_ms: ms(cold),
      cold_context_tokens: cold.map((c) => c.contextTokens),
      reading_ms: ms(reading),
      nearby_ms: ms(nearby),
      nearby_tokens_read: nearby.map((n) => n.tokensRead),
      generation_full_ctx257_ms: full.map((x) => round(x)),
      generation_step_ctx256_ms: step.map((x) => round(x)),
    },
  };
}
