// Soak: 1,000 hovers over a 5,000-line file, with edits in between, must not grow the extension
// host's heap past where it settled, nor leave workers or requests behind.
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import * as vscode from 'vscode';
import type { LensApi } from '../../src/extension';
import { discard, showActive, until } from './editors';

const LINES = 5000;
const HOVERS = 1000;
const SETTLED_AFTER = 100;

function forceGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function heapAfterGc(gc: () => void): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('hover soak', function () {
  // A shorter context keeps 1,000 mostly-cold hovers to about a minute; leaks don't depend on it.
  const config = () => vscode.workspace.getConfiguration('llmLens');
  before(async () => config().update('hover.contextTokens', 48, vscode.ConfigurationTarget.Global));
  after(async () => config().update('hover.contextTokens', undefined, vscode.ConfigurationTarget.Global));

  it('1,000 hovers with edits in between: heap within 10 % of where it settled, one worker, nothing pending', async function () {
    this.timeout(600_000);
    const api = (await vscode.extensions.getExtension<LensApi>('llm-lens.llm-lens')!.activate());
    const lines = Array.from({ length: LINES }, (_, i) => `    result_${i} = transform(items[${i % 97}], scale=${(i % 11) / 4}) + offset_${i % 23}`);
    const document = await vscode.workspace.openTextDocument({ language: 'python', content: lines.join('\n') });
    const editor = await showActive(document);
    const gc = forceGc();

    let baseline = 0;
    let answered = 0;
    for (let i = 0; i < HOVERS; i++) {
      const line = (i * 7919) % LINES; // spread over the whole file, revisiting some lines
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', document.uri, new vscode.Position(line, 8 + (i % 30)));
      if (hovers?.some((h) => h.contents.some((c) => typeof c !== 'string' && 'value' in c && c.value.includes('Next token')))) answered++;
      if (i % 10 === 9) {
        // Edit a line somewhere: invalidates what was cached for the text after it.
        const at = new vscode.Position((i * 31) % LINES, 4);
        await editor.edit((b) => b.insert(at, `x${i % 10}`));
      }
      if (i + 1 === SETTLED_AFTER) baseline = heapAfterGc(gc);
    }
    const final = heapAfterGc(gc);
    const stats = api.hoverStats();
    console.log(`soak: ${answered}/${HOVERS} hovers answered; heap ${(baseline / 2 ** 20).toFixed(1)} MiB after ${SETTLED_AFTER} -> ${(final / 2 ** 20).toFixed(1)} MiB after ${HOVERS}; workers ${stats.liveWorkers}, pending ${stats.pendingRequests}, cached ${stats.cachedPredictions}, regions ${stats.analysedRegions}`);
    assert.ok(answered >= HOVERS * 0.99, `only ${answered} of ${HOVERS} hovers had a distribution`);
    assert.ok(final <= baseline * 1.1, `heap grew from ${baseline} to ${final} bytes`);
    assert.equal(stats.liveWorkers, 1, 'exactly one model worker');
    // The status bar recounts the edited document a moment after the last edit, so a count may
    // still be on its way: it must settle, where a leaked request never would.
    await until(() => api.hoverStats().pendingRequests === 0, 'every request to the model worker to settle (one was left waiting)', 30_000);
    assert.ok(stats.cachedPredictions <= 512, 'the prediction cache is bounded');
    await discard(document);
  });
});
