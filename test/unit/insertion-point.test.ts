// "Insert into editor": generated text goes at the end of the run's explained range in its
// document (followed through edits), at the cursor only when that document is gone.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { insertionPoint, shiftOffset } from '../../src/generation/insertion-point';

const explained = { runId: 4, uri: 'file:///a.ts', end: 120 };
const documents = [{ uri: 'file:///b.ts', length: 50 }, { uri: 'file:///a.ts', length: 300 }];
const cursor = { uri: 'file:///b.ts', offset: 7 };

describe('insertionPoint', () => {
  test('the end of the explained range, in its document, even when another editor has the cursor', () => {
    assert.deepEqual(insertionPoint(4, explained, documents, cursor), { kind: 'explained', uri: 'file:///a.ts', offset: 120 });
  });

  test('clamped to the document when text after the range was deleted', () => {
    assert.deepEqual(insertionPoint(4, explained, [{ uri: 'file:///a.ts', length: 100 }], cursor), { kind: 'explained', uri: 'file:///a.ts', offset: 100 });
  });

  test('the cursor when the explained document is closed, or the text came from an older run', () => {
    assert.deepEqual(insertionPoint(4, explained, [documents[0]!], cursor), { kind: 'cursor', uri: 'file:///b.ts', offset: 7 });
    assert.deepEqual(insertionPoint(3, explained, documents, cursor), { kind: 'cursor', uri: 'file:///b.ts', offset: 7 });
    assert.deepEqual(insertionPoint(4, undefined, documents, cursor), { kind: 'cursor', uri: 'file:///b.ts', offset: 7 });
  });

  test('nowhere (a reason, not a crash) when neither the document nor an editor is open', () => {
    assert.deepEqual(insertionPoint(4, explained, [], undefined), { kind: 'none', reason: 'noEditor' });
  });
});

describe('shiftOffset follows edits of the explained document', () => {
  test('edits after the end, or typing right at it, leave it where it is', () => {
    assert.equal(shiftOffset(120, { start: 130, removed: 5, inserted: 0 }), 120);
    assert.equal(shiftOffset(120, { start: 120, removed: 0, inserted: 9 }), 120);
  });

  test('edits before the end move it by the length difference', () => {
    assert.equal(shiftOffset(120, { start: 10, removed: 0, inserted: 6 }), 126);
    assert.equal(shiftOffset(120, { start: 10, removed: 4, inserted: 1 }), 117);
    assert.equal(shiftOffset(120, { start: 100, removed: 20, inserted: 3 }), 103, 'a replacement ending exactly at the end');
  });

  test('an edit across the end moves it to the end of the replacement', () => {
    assert.equal(shiftOffset(120, { start: 110, removed: 30, inserted: 4 }), 114);
  });
});
