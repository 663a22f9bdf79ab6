// Timing helpers for the benchmark: warm-up, then timed rounds in which every measured task
// runs once, so that a noisy neighbour slows all of them alike instead of one of them.

export interface Timing {
  /** Median wall-clock time of the timed runs, ms. */
  median: number;
  min: number;
  runs: number[];
  /** The warm-up calls, first one first (the first is the cold start). */
  warmup: number[];
  /** Median process CPU time of the timed runs, ms: close to `median` on an idle machine. */
  cpuMedian: number;
}

export type Task = (run: number) => Promise<unknown>;

export const round = (x: number, digits = 1) => Number(x.toFixed(digits));

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(task: Task, run: number): Promise<{ wall: number; cpu: number }> {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  await task(run);
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpuStart);
  return { wall, cpu: (used.user + used.system) / 1000 };
}

/**
 * Runs each task `warmup` times (untimed for the median), then `rounds` rounds of one call per
 * task. Tasks get the run index (negative for warm-up calls) to vary their input.
 */
export async function timeInterleaved<K extends string>(tasks: Record<K, Task>, rounds: number, warmup: number): Promise<Record<K, Timing>> {
  const names = Object.keys(tasks) as K[];
  const samples = {} as Record<K, { warmup: number[]; wall: number[]; cpu: number[] }>;
  for (const name of names) {
    samples[name] = { warmup: [], wall: [], cpu: [] };
    for (let i = 0; i < warmup; i++) samples[name].warmup.push(round((await measure(tasks[name], -1 - i)).wall));
  }
  for (let r = 0; r < rounds; r++) {
    for (const name of names) {
      const { wall, cpu } = await measure(tasks[name], r);
      samples[name].wall.push(wall);
      samples[name].cpu.push(cpu);
    }
  }
  const out = {} as Record<K, Timing>;
  for (const name of names) {
    const s = samples[name];
    out[name] = { median: median(s.wall), min: Math.min(...s.wall), runs: s.wall.map((w) => round(w)), warmup: s.warmup, cpuMedian: round(median(s.cpu)) };
  }
  return out;
}
