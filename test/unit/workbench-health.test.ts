// The extension suite fails when the workbench reports the extension host unresponsive: these are
// the lines VS Code 1.100 logs (abstractExtensionService.ts, remoteAgentConnection.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkbenchHealth } from '../harness/code-server';

describe('workbench health', () => {
  it('reads an unresponsive extension host and a socket timeout as problems', () => {
    const health = new WorkbenchHealth();
    health.read('Extension host (Remote) is unresponsive.');
    health.read('[remote-connection][ExtensionHost][3f2a…][reconnect] received socket timeout event (unacknowledgedMsgCount: 3, timeSinceOldestUnacknowledgedMsg: 20001, timeSinceLastReceivedSomeData: 20001).');
    assert.equal(health.found.length, 2);
  });

  it('passes ordinary workbench and test output', () => {
    const health = new WorkbenchHealth();
    for (const line of ['Extension host (Remote) is responsive.', 'Creating a socket (renderer-ExtensionHost-…)', '  ✔ explains a selection (812ms)', 'extension: 31 passed, 0 failed']) health.read(line);
    assert.deepEqual(health.found, []);
  });
});
