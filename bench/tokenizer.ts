// `npm run bench` (third part): how long the host's tokenizer work takes, the timings that unit
// tests must not assert: a megabyte of code and prose per encoding, the tokenize-cost scan of
// 2 MB, and tokenizing half the longest run the cost guard lets through. Merged into
// bench/results.json; a figure over its budget is flagged (the budgets catch quadratic
// behaviour, not noise: each is well above what the development machine measures).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENCODING_NAMES, countTokens, loadEncoding, tokenize } from '../src/engine/tokenizer';
import { seededRandom } from '../src/engine/sampling';
import { MAX_BPE_COST, tokenizeCost } from '../src/tokenize-cost';
import { median, round } from './timing';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);

/** Realistic text: code and the reference prompts, with varied identifiers and some non-ASCII. */
function megabyteOfSource(): string {
  const random = seededRandom(7);
  const fixture = path.join(__dirname, '../test/fixtures/reference.json');
  const prose = (JSON.parse(fs.readFileSync(fixture, 'utf8')) as { refs: { text: string }[] }).refs.map((r) => r.text);
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < 1_000_000; i++) {
    const name = `value_${Math.floor(random() * 5000)}`;
    const line = `${prose[i % prose.length]}\n    ${name} = compute(${name}, ${Math.floor(random() * 1e6)})  # ${i % 7 ? 'ok' : 'naïve 你好 🙂'}\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('');
}

function timeMs(task: (run: number) => unknown): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    task(i);
    times.push(performance.now() - start);
  }
  return round(median(times));
}

async function main(): Promise<void> {
  await Promise.all(ENCODING_NAMES.map((name) => loadEncoding(name)));
  console.log(`tokenizer: median of ${RUNS} runs; load average ${os.loadavg()[0].toFixed(2)}`);
  const source = megabyteOfSource();
  const figures: Record<string, number> = {};
  const budgets: Record<string, number> = {};
  for (const name of ENCODING_NAMES) {
    figures[`tokenize_1mb_${name}_ms`] = timeMs(() => tokenize(source, name));
    budgets[`tokenize_1mb_${name}_ms`] = 5000;
  }
  const scanned = 'word '.repeat(400_000);
  figures.tokenize_cost_scan_2mb_ms = timeMs(() => tokenizeCost(scanned));
  budgets.tokenize_cost_scan_2mb_ms = 500;
  // A different letter each run: the tokenizer caches the pieces it has encoded.
  const halfLimitRun = (run: number) => String.fromCharCode(0x61 + run).repeat(Math.floor(Math.sqrt(MAX_BPE_COST) / 2));
  figures.tokenize_half_limit_run_ms = timeMs((run) => countTokens(halfLimitRun(run)));
  budgets.tokenize_half_limit_run_ms = 2000;

  for (const [figure, ms] of Object.entries(figures)) {
    console.log(`${figure.padEnd(34)} ${String(ms).padStart(8)} ms${ms > budgets[figure] ? `   OVER the ${budgets[figure]} ms budget` : ''}`);
  }
  const file = path.join(__dirname, 'results.json');
  const results = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  fs.writeFileSync(file, JSON.stringify({ ...results, tokenizer: figures }, null, 2) + '\n');
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
