import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from '../../src/engine/tokenizer';
import { characterGroups } from '../../webview-ui/view/character-groups';

test('告诉 in GPT-2’s tokens: each character above the byte fragments that hold it', () => {
  const text = '他告诉我 a test';
  const tokens = tokenize(text);
  const groups = characterGroups(tokens);
  assert.ok(groups.length >= 1);
  const chars = groups.flatMap((g) => g.characters);
  // Every partial token's bytes are accounted for, in order, and they spell the Chinese text.
  assert.equal(chars.map((c) => c.char).join(''), groups.map((g) => new TextDecoder().decode(Uint8Array.from(tokens.slice(g.first, g.last + 1).flatMap((t) => t.bytes.match(/../g)!.map((h) => parseInt(h, 16)))))).join(''));
  const gao = chars.find((c) => c.char === '告')!;
  assert.equal(gao.bytes, 'e5 91 8a');
  // Its three bytes lie in the tokens whose hex includes them, and those tokens are partial.
  const joined = gao.tokens.map((i) => tokens[i]!.bytes).join('');
  assert.ok(joined.includes('e5918a'), `${gao.tokens} hold ${joined}`);
  assert.ok(gao.tokens.every((i) => tokens[i]!.partial));
  assert.ok(chars.some((c) => c.tokens.length > 1), 'at least one character is split across tokens');
  for (const g of groups) for (let i = g.first; i <= g.last; i++) assert.ok(tokens[i]!.partial);
});

test('whole-character tokens make no group; a run cut mid-character shows U+FFFD for the stray bytes', () => {
  assert.deepEqual(characterGroups(tokenize('plain ascii text')), []);
  const [group] = characterGroups([{ bytes: '918a', partial: true }, { bytes: 'e8af', partial: true }, { bytes: '89', partial: true }]);
  assert.deepEqual(group!.characters.map((c) => [c.char, c.tokens]), [['\ufffd', [0]], ['\ufffd', [0]], ['诉', [1, 2]]]);
});
