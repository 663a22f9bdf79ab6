import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBits, formatProbability, renderHover, visibleToken } from '../../src/hover/hover-markdown';
import { markdownText } from '../../src/untrusted-text';
import type { LastPrediction, TokenSpan } from '../../src/engine/types';
import fs from 'node:fs';
import path from 'node:path';
import { english, type Localize } from '../../src/localize';

const token = (text: string, extra: Partial<TokenSpan> = {}): TokenSpan => ({ id: 42, text, start: 0, end: text.length, bytes: '', ...extra });
const prediction = (top: [number, number][], temperature = 1): LastPrediction => ({
  lastToken: { id: 42, logprob: Math.log(0.25), rank: 3 },
  next: { position: 4, temperature, top, target: null, entropy: 2 * Math.LN2 },
  timings: { totalMs: 1 },
});
const zhBundle: Record<string, string> = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'l10n', 'bundle.l10n.zh-cn.json'), 'utf8'));
const chinese: Localize = (message, ...args) => english(zhBundle[message] ?? `MISSING: ${message}`, ...args);

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

test('at a temperature other than 1 the hover says the list is at that temperature and p, surprisal are the model’s own', () => {
  const top: [number, number][] = [[1, Math.log(0.5)]];
  const atOne = renderHover({ token: token(' world'), prediction: prediction(top), tokenText: () => ' the' });
  assert.doesNotMatch(atOne, /not the model’s own/, 'no note at temperature 1');
  const hot = renderHover({ token: token(' world'), prediction: prediction(top, 0.5), tokenText: () => ' the' });
  // The scored token's line is the model's own numbers, unchanged by the temperature.
  assert.match(hot, /p = 25\.0% · rank 3 · surprisal 2\.00 bits/);
  assert.match(hot, /Next token \(temperature 0\.5, entropy 2\.00 bits\):/);
  assert.match(shown(hot), /At temperature 0\.5 the list below is softmax\(logits \/ 0\.5\), not the model’s own distribution; p and surprisal above are the model’s own \(temperature 1\)\./);
  const zh = renderHover({ token: token(' world'), prediction: prediction(top, 0.5), tokenText: () => ' the' }, chinese);
  assert.doesNotMatch(zh, /MISSING/);
  assert.match(shown(zh), /在温度 0\.5 下，下面的列表是 softmax\(logits \/ 0\.5\)，不是模型自己的分布；上面的概率 p 和意外度是模型自己的（温度 1）。/);
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
