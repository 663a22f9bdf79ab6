// Runs inside the real extension host (code-server): times hovers end to end, from the hover
// provider call to the hover object, and watches the extension host's event loop meanwhile.
// Results go to the JSON file named by LLM_LENS_BENCH_OUT.
import fs from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { LensApi } from '../../src/extension';

const LINE_COUNT = 5000;
const COLD_HOVERS = 100;
const IDLE_MS = 8000;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A 5,000-line Python file whose lines all differ, so every hover below is a cache miss. */
function bigPythonFile(): string {
  const lines: string[] = [];
  for (let i = 0; lines.length < LINE_COUNT; i++) {
    lines.push(`def handler_${i}(request, retries=${i % 7}):`, `    """Handle request ${i} and return its status."""`, `    total_${i} = compute(request.items, discount=${(i % 13) / 10})`, `    return total_${i} if total_${i} > ${i} else None`, '');
  }
  return lines.join('\n');
}

/** Where the worst late tick's time went, by the kernel's counters for this thread. */
interface WorstStall {
  lateMs: number;
  /** The thread was on a CPU: JavaScript, GC, or the runtime. */
  runningMs: number;
  /** The thread was ready to run and waited for a CPU (other threads, other programs). */
  waitingForCpuMs: number;
}

/**
 * Linux only: this thread's time on a CPU and time waiting for one, in nanoseconds, from
 * /proc/<pid>/task/<tid>/schedstat (the extension host's main thread has tid = pid). The rest of
 * a stall is time asleep past the timer's due time (on a VM: the virtual CPU not yet woken).
 */
function schedulerCounters(): (() => [number, number]) | undefined {
  const file = `/proc/self/task/${process.pid}/schedstat`;
  if (!fs.existsSync(file)) return undefined;
  return () => {
    const [running, waiting] = fs.readFileSync(file, 'utf8').split(' ').map(Number);
    return [running, waiting];
  };
}

/**
 * Ticks every 1 ms and keeps two figures. busyMaxMs: the longest time the event loop spent
 * running callbacks between two ticks; a late timer (the stall figure) can also mean the thread
 * had nothing to do but waited for a CPU, which the event loop counts as idle, so this one is the
 * blocking alone. worstStall: the most late tick, split by the scheduler's counters where it has them.
 */
function watchLoop(): { stop(): { busyMaxMs: number; worstStall?: WorstStall } } {
  const counters = schedulerCounters();
  let lastUse = performance.eventLoopUtilization();
  let lastTick = performance.now();
  let lastCounters = counters?.();
  let busyMaxMs = 0;
  let worstStall: WorstStall | undefined;
  const timer = setInterval(() => {
    const now = performance.now();
    const use = performance.eventLoopUtilization();
    const current = counters?.();
    busyMaxMs = Math.max(busyMaxMs, performance.eventLoopUtilization(use, lastUse).active);
    const lateMs = now - lastTick - 1;
    if (current && lastCounters && lateMs > (worstStall?.lateMs ?? -Infinity)) {
      worstStall = { lateMs, runningMs: (current[0] - lastCounters[0]) / 1e6, waitingForCpuMs: (current[1] - lastCounters[1]) / 1e6 };
    }
    lastUse = use;
    lastTick = now;
    lastCounters = current;
  }, 1);
  return {
    stop() {
      clearInterval(timer);
      return { busyMaxMs, worstStall };
    },
  };
}

/** The worst stall's split as result fields, named after the window (hover_/idle_); none off Linux. */
function stallFields(prefix: string, stall: WorstStall | undefined): Record<string, number> {
  if (!stall) return {};
  return {
    [`${prefix}_main_thread_worst_stall_ms`]: +stall.lateMs.toFixed(1),
    [`${prefix}_main_thread_worst_stall_running_ms`]: +stall.runningMs.toFixed(1),
    [`${prefix}_main_thread_worst_stall_waiting_for_cpu_ms`]: +stall.waitingForCpuMs.toFixed(1),
  };
}

async function hoverOnce(uri: vscode.Uri, position: vscode.Position): Promise<{ ms: number; ok: boolean }> {
  const t0 = performance.now();
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  const ms = performance.now() - t0;
  const ok = hovers.some((h) => h.contents.some((c) => typeof c !== 'string' && 'value' in c && c.value.includes('Next token')));
  return { ms, ok };
}

export async function run(): Promise<void> {
  const out = process.env.LLM_LENS_BENCH_OUT;
  if (!out) throw new Error('LLM_LENS_BENCH_OUT is not set');
  const api = await vscode.extensions.getExtension<LensApi>('llm-lens.llm-lens')!.activate();
  const providerTimes = (n: number) => api.hoverStats().recentDurationsMs.slice(-n);
  const document = await vscode.workspace.openTextDocument({ language: 'python', content: bigPythonFile() });
  await vscode.window.showTextDocument(document);

  // Positions far enough in that the context is a full 256 tokens; each a different line.
  const positions = Array.from({ length: COLD_HOVERS }, (_, i) => new vscode.Position(400 + i * 45, 8));
  // Model load and first-run allocations are not what a hover costs once the extension is up.
  for (let i = 0; i < 60; i++) {
    if ((await hoverOnce(document.uri, new vscode.Position(200 + i, 6))).ok && i >= 3) break;
    await new Promise((r) => setTimeout(r, 500));
  }

  // The same measurement with nothing to do: the extension host's own stalls (GC, other
  // extensions, the machine), the floor under the figure taken during hovers.
  const idle = monitorEventLoopDelay({ resolution: 1 });
  idle.enable();
  const idleWatch = watchLoop();
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idleLoop = idleWatch.stop();
  idle.disable();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  // Garbage collection pauses the loop too; recorded so a stall can be told apart from our own work.
  const gcPauses: number[] = [];
  const gc = new PerformanceObserver((list) => list.getEntries().forEach((e) => gcPauses.push(e.duration)));
  gc.observe({ entryTypes: ['gc'] });
  loop.enable();
  const hoverWatch = watchLoop();
  const cold: number[] = [];
  for (const p of positions) {
    const r = await hoverOnce(document.uri, p);
    if (!r.ok) throw new Error(`no distribution in the hover at ${p.line}:${p.character}`);
    cold.push(r.ms);
  }
  const hoverLoop = hoverWatch.stop();
  loop.disable();
  gc.disconnect();
  const coldProvider = providerTimes(COLD_HOVERS);
  const coldSync = api.hoverStats().recentSyncMs.slice(-COLD_HOVERS);
  const warm: number[] = [];
  for (const p of positions) warm.push((await hoverOnce(document.uri, p)).ms);
  const warmProvider = providerTimes(COLD_HOVERS);

  const results = {
    // Provider call to hover object, as the extension host sees it.
    hover_cold_t256_p95_ms: +percentile(coldProvider, 95).toFixed(1),
    hover_cold_t256_median_ms: +percentile(coldProvider, 50).toFixed(1),
    hover_warm_p95_ms: +percentile(warmProvider, 95).toFixed(2),
    // The same hovers through vscode.executeHoverProvider: adds the round trip through the workbench.
    hover_cold_t256_roundtrip_p95_ms: +percentile(cold, 95).toFixed(1),
    hover_warm_roundtrip_p95_ms: +percentile(warm, 95).toFixed(2),
    // The histogram records how late a 1 ms timer fired: the longest the loop was blocked.
    hover_main_thread_block_max_ms: +(loop.max / 1e6).toFixed(1),
    hover_main_thread_block_p99_ms: +(loop.percentile(99) / 1e6).toFixed(1),
    idle_main_thread_block_max_ms: +(idle.max / 1e6).toFixed(1),
    // The same windows counting only time spent running code (see watchLoop).
    hover_main_thread_busy_max_ms: +hoverLoop.busyMaxMs.toFixed(1),
    idle_main_thread_busy_max_ms: +idleLoop.busyMaxMs.toFixed(1),
    // The worst late tick of each window, split into running, waiting for a CPU, and (the rest) asleep.
    ...stallFields('hover', hoverLoop.worstStall),
    ...stallFields('idle', idleLoop.worstStall),
    // Of that, the longest stretch the hover provider itself ran without yielding.
    hover_provider_sync_max_ms: +Math.max(...coldSync).toFixed(2),
    hover_provider_sync_median_ms: +percentile(coldSync, 50).toFixed(2),
    hover_gc_pause_max_ms: +Math.max(0, ...gcPauses).toFixed(1),
    hover_gc_pauses: gcPauses.length,
    hover_samples: COLD_HOVERS,
  };
  fs.writeFileSync(out, JSON.stringify(results, null, 2));
  console.log('hover bench:', JSON.stringify(results));
}
