import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { describePriority, lowerThisThreadPriority, WORKER_NICE, type PriorityCalls } from '../../src/model-worker/thread-priority';

function fakeCalls(platform: NodeJS.Platform, fail?: string): PriorityCalls & { set: Array<[number, number]> } {
  let nice = 0;
  const set: Array<[number, number]> = [];
  return {
    platform,
    set,
    setPriority(pid, priority) {
      if (fail) throw new Error(fail);
      set.push([pid, priority]);
      nice = priority;
    },
    getPriority: () => nice,
  };
}

test('on Linux the calling thread (pid 0) goes to nice 19', () => {
  const calls = fakeCalls('linux');
  assert.deepEqual(lowerThisThreadPriority(calls), { lowered: true, nice: WORKER_NICE });
  assert.deepEqual(calls.set, [[0, 19]]);
});

test('on macOS and Windows nothing is changed: the call would lower the whole extension host', () => {
  for (const platform of ['darwin', 'win32'] as const) {
    const calls = fakeCalls(platform);
    const priority = lowerThisThreadPriority(calls);
    assert.equal(priority.lowered, false);
    assert.deepEqual(calls.set, []);
    assert.match(describePriority(priority), /normal CPU priority \(not on (darwin|win32)/);
  }
});

test('a refused change is reported, not thrown', () => {
  const priority = lowerThisThreadPriority(fakeCalls('linux', 'EACCES: permission denied'));
  assert.deepEqual(priority, { lowered: false, reason: 'EACCES: permission denied' });
  assert.equal(describePriority(priority), 'normal CPU priority (EACCES: permission denied)');
});

/** nice of one thread of this process, from /proc (field 19 of stat). */
function threadNice(tid: number): number {
  const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

test('in a real worker thread only that thread is lowered, not the process', async () => {
  const processBefore = os.getPriority();
  const mainBefore = process.platform === 'linux' ? threadNice(process.pid) : processBefore;
  const module = path.resolve('src/model-worker/thread-priority.ts');
  // The worker reports its own thread id (from /proc/thread-self) and what the call returned.
  const worker = new Worker(
    `const { parentPort } = require('node:worker_threads');
     const fs = require('node:fs');
     require('tsx/cjs/api').register();
     const { lowerThisThreadPriority } = require(${JSON.stringify(module)});
     const priority = lowerThisThreadPriority();
     const tid = process.platform === 'linux' ? Number(fs.readlinkSync('/proc/thread-self').split('/').pop()) : 0;
     parentPort.postMessage({ priority, tid });
     setTimeout(() => {}, 60_000);`,
    { eval: true },
  );
  try {
    const report = await new Promise<{ priority: unknown; tid: number }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    if (process.platform !== 'linux') {
      // Elsewhere a priority is the whole process's: nothing may change.
      assert.equal((report.priority as { lowered: boolean }).lowered, false);
      assert.equal(os.getPriority(), processBefore, 'the process keeps its priority');
      return;
    }
    assert.deepEqual(report.priority, { lowered: true, nice: WORKER_NICE });
    assert.notEqual(report.tid, process.pid);
    assert.equal(threadNice(report.tid), WORKER_NICE);
    assert.equal(threadNice(process.pid), mainBefore, 'the main thread keeps its priority');
  } finally {
    await worker.terminate();
  }
});
