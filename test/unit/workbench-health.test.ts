// The extension suite prints each time the workbench had no answer from the extension host, how
// long and when: these are the lines VS Code 1.100 logs (abstractExtensionService.ts,
// remoteAgentConnection.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkbenchHealth } from '../harness/code-server';

describe('workbench health', () => {
  it('an unresponsive spell is one episode, from its start (3 s before the line) to the responsive line', async () => {
    const health = new WorkbenchHealth();
    health.read('Extension host (Remote) is unresponsive.');
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.deepEqual(health.found, [], 'not over yet');
    health.read('Extension host (Remote) is responsive.');
    assert.equal(health.found.length, 1);
    const ms = Number(/for (\d+) ms/.exec(health.found[0]!)?.[1]);
    assert.ok(ms >= 3050 && ms < 4000, health.found[0]);
  });

  it('a socket timeout is an episode of its own', () => {
    const health = new WorkbenchHealth();
    health.read('[remote-connection][ExtensionHost][3f2a…][reconnect] received socket timeout event (unacknowledgedMsgCount: 3, timeSinceOldestUnacknowledgedMsg: 20001, timeSinceLastReceivedSomeData: 20001).');
    assert.equal(health.found.length, 1);
    assert.match(health.found[0]!, /^socket timeout and reconnect .* s into the suite: .*timeSinceOldestUnacknowledgedMsg: 20001/);
  });

  it('ordinary workbench and test output is no episode', () => {
    const health = new WorkbenchHealth();
    for (const line of ['Extension host (Remote) is responsive.', 'Creating a socket (renderer-ExtensionHost-…)', '  ✔ explains a selection (812ms)', 'extension: 31 passed, 0 failed']) health.read(line);
    assert.deepEqual(health.found, []);
  });
});
