import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBits, formatProbability, renderHover, visibleToken } from '../../src/hover/hover-markdown';
import { markdownText } from '../../src/untrusted-text';
import type { LastPrediction, TokenSpan } from '../../src/engine/types';

const token = (text: string, extra: Partial<TokenSpan> = {}): TokenSpan => ({ id: 42, text, start: 0, end: text.length, bytes: '', ...extra });
const prediction = (top: [number, number][]): LastPrediction => ({
  lastToken: { id: 42, logprob: Math.log(0.25), rank: 3 },
  next: { position: 4, temperature: 1, top, target: null, entropy: 2 * Math.LN2 },
  timings: { totalMs: 1 },
});

/** What a Markdown renderer would show, roughly: unescape backslash escapes and entities. */
const shown = (md: string) => md.replace(/\\(.)/g, '$1').replace(/&#(\d+);/g, (_, c) => String.fromCharCode(+c));

test('hostile token texts are escaped: no link, no command, no HTML survives', () => {
  const hostile = ['](command:workbench.action.quit)', '<img src=x onerror=alert(1)>', '[x](https://evil.example)', '`code`', '**bold**', '| a | b |'];
  for (const text of hostile) {
    const md = renderHover({ token: token(text), prediction: prediction([[1, -1]]), tokenText: () => text });
    assert.ok(!md.includes('](command:workbench'), `unescaped command link in ${md}`);
    assert.ok(!/<img|<script/i.test(md), 'raw HTML in hover');
    assert.ok(!md.includes('](https://evil'), 'unescaped link');
    // Every hostile string still appears, as text.
    assert.ok(shown(md).includes(text.replace(/ /g, '·')), `${text} missing from ${shown(md)}`);
  }
});

test('only the panel link is a link', () => {
  const md = renderHover({ token: token('x'), prediction: prediction([[1, -1]]), tokenText: () => '](command:evil)', openPanelLink: 'command:llmLens.explainAt?%5B%5D' });
  const links = [...md.matchAll(/(?<!\\)\]\((?!\\)/g)];
  assert.equal(links.length, 1);
  assert.ok(md.endsWith('(command:llmLens.explainAt?%5B%5D)'));
});

test('numbers: probability, rank, surprisal and entropy in bits, one row per top token', () => {
  const md = renderHover({ token: token(' world'), prediction: prediction([[1, Math.log(0.5)], [2, Math.log(0.125)]]), tokenText: (id) => (id === 1 ? ' the' : '\n') });
  assert.match(md, /p = 25\.0% · rank 3 · surprisal 2\.00 bits/);
  assert.match(md, /entropy 2\.00 bits/);
  assert.match(md, /\| 1 \| ·the \| 50\.0% \| █{8} \|/);
  assert.match(md, /\| 2 \| ↵ \| 12\.5% \| ██ \|/);
  assert.match(md, /token \*\*·world\*\*/);
});

test('without a model the hover still names the token and says why', () => {
  const md = renderHover({ token: token('é', { partial: true, bytes: 'c3' }), unavailable: 'the model worker failed: out of memory', tokenText: String });
  assert.match(md, /bytes c3 \(part of a character\)/);
  assert.match(shown(md), /No next-token distribution: the model worker failed: out of memory/);
});

test('formatting helpers', () => {
  assert.equal(formatProbability(0.5), '50.0%');
  assert.equal(formatProbability(0.0123), '1.23%');
  assert.equal(formatProbability(0.00001234), '0.0012%');
  assert.equal(formatBits(Math.LN2), '1.00 bits');
  assert.equal(visibleToken(' a\tb\r\n'), '·a→b␍↵');
  assert.equal(markdownText('a<b>&'), 'a&#60;b&#62;&#38;');
});
