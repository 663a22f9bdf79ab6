// Shared checks of work done in time slices (token-spans.ts's runInSlices).
import assert from 'node:assert/strict';
import type { SliceOptions } from '../../src/engine/token-spans';

/** An aborted signal stops `work` at its next pause, rejecting with the signal's reason. */
export async function assertAbortStopsAtNextPause(work: (options: SliceOptions) => Promise<unknown>): Promise<void> {
  const controller = new AbortController();
  const reason = new Error('superseded');
  let pauses = 0;
  const running = work({
    sliceMs: 0,
    pause: async () => {
      if (++pauses === 3) controller.abort(reason);
    },
    signal: controller.signal,
  });
  await assert.rejects(running, (error) => error === reason);
  assert.equal(pauses, 3);
  await assert.rejects(work({ signal: controller.signal }), (error) => error === reason, 'an already aborted signal');
}
