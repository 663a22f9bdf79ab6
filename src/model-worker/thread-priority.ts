// The model worker's forward passes are background work: the extension host's main thread runs
// every extension's event loop and must get a CPU first. Linux gives each thread its own nice
// value, and setpriority(PRIO_PROCESS, 0) (Node's os.setPriority(0, n)) changes the calling
// thread's alone. On macOS and Windows the same call changes the whole process, i.e. it would
// lower the extension host itself, so there the worker is left as it is.
//
// Why 19 and not a gentler value: Linux shares a CPU between groups of threads (a session, a
// cgroup) by each group's load on that CPU, and a thread's load is weighted by its nice value.
// At nice 0 the busy worker makes nearly all of the extension host group's load, so the group's
// weight moves to the worker's CPU and the main thread, waking on the other CPU, queues behind
// other programs' threads. At nice 19 the worker weighs 15/1024 of a normal thread, and the main
// thread keeps the group's weight. Measured on 2 vCPUs (BENCHMARKS.md): the longest event-loop
// stall during 100 hovers fell from a median of 18.6 ms (13 runs) to 10.3 ms (21 runs), near
// the stall with no hovers at all. Nice 10 (weight 110) made no measurable difference.
import os from 'node:os';

export const WORKER_NICE = 19;

export type ThreadPriority = { lowered: true; nice: number } | { lowered: false; reason: string };

export interface PriorityCalls {
  platform: NodeJS.Platform;
  setPriority(pid: number, priority: number): void;
  getPriority(pid: number): number;
}

const nodeCalls: PriorityCalls = {
  platform: process.platform,
  setPriority: (pid, priority) => os.setPriority(pid, priority),
  getPriority: (pid) => os.getPriority(pid),
};

/** Lowers the calling thread's CPU priority where that touches this thread alone. */
export function lowerThisThreadPriority(calls: PriorityCalls = nodeCalls): ThreadPriority {
  if (calls.platform !== 'linux') return { lowered: false, reason: `not on ${calls.platform}: it would lower the whole extension host` };
  try {
    calls.setPriority(0, WORKER_NICE);
    return { lowered: true, nice: calls.getPriority(0) };
  } catch (error) {
    return { lowered: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export function describePriority(priority: ThreadPriority): string {
  return priority.lowered ? `low CPU priority (nice ${priority.nice})` : `normal CPU priority (${priority.reason})`;
}
