// The extension host's event-loop stalls, measured inside it for the whole suite (index.ts reads
// them per test). A few tests compute their expected numbers with a second engine on the host's
// own thread; that is the test's work, not the extension's, so it runs off the clock.
import { monitorEventLoopDelay } from 'node:perf_hooks';

const loop = monitorEventLoopDelay({ resolution: 20 });
/** A stall the monitor saw before some reference work began: still the test's, so still counted. */
let keptBeforeReferenceWork = 0;

export function startMonitor(): void {
  loop.enable();
}

export function stopMonitor(): void {
  loop.disable();
}

/** The longest stall since the last call (ms), and the monitor starts afresh. */
function takeLongestStall(): number {
  const ms = loop.max / 1e6;
  loop.reset();
  return ms;
}

/**
 * Runs a test's own reference computation (a second engine on this thread) without counting its
 * stall against the extension: what the monitor saw before it is kept for the test, what it saw
 * during it is dropped.
 */
export async function referenceWork<T>(what: string, work: () => Promise<T>): Promise<T> {
  keptBeforeReferenceWork = Math.max(keptBeforeReferenceWork, takeLongestStall());
  try {
    return await work();
  } finally {
    const during = takeLongestStall();
    if (during > 500) console.log(`      (${what}, the test's own work, held the host's thread ${during.toFixed(0)} ms: not counted)`);
  }
}

/** The longest stall counted so far in this stretch: the monitor's, or one kept across reference work. */
export function takeCountedStall(): number {
  const ms = Math.max(takeLongestStall(), keptBeforeReferenceWork);
  keptBeforeReferenceWork = 0;
  return ms;
}
