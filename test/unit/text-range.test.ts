import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SHORT_DOCUMENT_CHARS, paragraphAround, pickText } from '../../src/text-range';

const long = (paragraphs: string[]) => {
  const filler = 'x'.repeat(SHORT_DOCUMENT_CHARS);
  return [...paragraphs, filler].join('\n\n');
};

describe('pickText: what Explain Tokens takes', () => {
  test('a selection is taken as is', () => {
    assert.deepEqual(pickText('hello world', { start: 6, end: 11 }, 11), { ok: true, pick: { kind: 'selection', start: 6, end: 11 } });
  });

  test('no selection in a short document: the whole document', () => {
    assert.deepEqual(pickText('a\n\nb', { start: 1, end: 1 }, 1), { ok: true, pick: { kind: 'document', start: 0, end: 4 } });
  });

  test('empty and whitespace-only documents say why there is nothing', () => {
    assert.deepEqual(pickText('', { start: 0, end: 0 }, 0), { ok: false, reason: 'the document is empty' });
    assert.deepEqual(pickText(' \n\t\n', { start: 0, end: 0 }, 0), { ok: false, reason: 'the document holds only whitespace' });
  });

  test('no selection in a long document: the paragraph around the cursor', () => {
    const text = long(['first para\nstill first', 'second para']);
    const cursor = text.indexOf('still');
    const result = pickText(text, { start: cursor, end: cursor }, cursor);
    assert.ok(result.ok);
    assert.equal(result.pick.kind, 'paragraph');
    assert.equal(text.slice(result.pick.start, result.pick.end), 'first para\nstill first');
  });
});

describe('paragraphAround', () => {
  test('blank lines with spaces delimit paragraphs too; CRLF works', () => {
    const text = 'one\r\ntwo\r\n   \r\nthree\r\nfour';
    assert.equal(text.slice(...Object.values(paragraphAround(text, text.indexOf('four'))) as [number, number]), 'three\r\nfour');
    assert.equal(text.slice(...Object.values(paragraphAround(text, 0)) as [number, number]), 'one\r\ntwo');
  });

  test('on a blank line: the next paragraph, or the last one when none follows', () => {
    const text = 'a\n\n\nb\n\n';
    const between = text.indexOf('\n\n') + 1;
    const { start, end } = paragraphAround(text, between);
    assert.equal(text.slice(start, end), 'b');
    const atEnd = paragraphAround(text, text.length);
    assert.equal(text.slice(atEnd.start, atEnd.end), 'b');
  });

  test('cursor at the end of a line belongs to that line', () => {
    const text = 'a b\n\nc d';
    const { start, end } = paragraphAround(text, 3);
    assert.equal(text.slice(start, end), 'a b');
  });
});
