// Every English string has a Simplified Chinese twin (the test lists any missing key), the
// Chinese bundle is picked for VS Code's zh-cn, and placeholders survive translation.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { en } from '../../webview-ui/i18n/en';
import { zhCn } from '../../webview-ui/i18n/zh-cn';
import { bundleFor, translator } from '../../webview-ui/i18n';

const root = path.join(__dirname, '..', '..');
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

/** Keys of `english` missing (or empty) in `chinese`. */
function missing(english: Record<string, string>, chinese: Record<string, string>): string[] {
  return Object.keys(english).filter((key) => typeof chinese[key] !== 'string' || chinese[key].trim() === '');
}

describe('string bundles', () => {
  test('the webview bundle: no key missing from zh-cn, same placeholders, no extra keys', () => {
    assert.deepEqual(missing(en, zhCn), [], 'keys missing from webview-ui/i18n/zh-cn.ts');
    assert.deepEqual(Object.keys(zhCn).filter((k) => !(k in en)), [], 'keys only in zh-cn');
    for (const key of Object.keys(en) as (keyof typeof en)[]) assert.deepEqual(placeholders(zhCn[key]), placeholders(en[key]), `placeholders of ${key}`);
  });

  for (const [english, chinese] of [['package.nls.json', 'package.nls.zh-cn.json'], ['l10n/bundle.l10n.json', 'l10n/bundle.l10n.zh-cn.json']]) {
    test(`${chinese} has every key of ${english} (when present)`, (t) => {
      const file = path.join(root, english);
      if (!fs.existsSync(file)) return t.diagnostic(`${english} does not exist yet`);
      const read = (f: string) => JSON.parse(fs.readFileSync(path.join(root, f), 'utf8'));
      assert.deepEqual(missing(read(english), read(chinese)), [], `keys missing from ${chinese}`);
    });
  }

  test('VS Code zh-cn (any case, or zh-hans) picks Chinese; other languages English', () => {
    assert.equal(bundleFor('zh-cn').bundle, zhCn);
    assert.equal(bundleFor('zh-CN').bundle, zhCn);
    assert.equal(bundleFor('zh-hans').language, 'zh-cn');
    assert.equal(bundleFor('zh-tw').bundle, en);
    assert.equal(bundleFor('en').bundle, en);
    assert.equal(bundleFor(undefined).bundle, en);
  });

  test('the Chinese explanations name the English term beside the Chinese the first time', () => {
    for (const term of ['(attention head)', '(token)', '(byte-pair encoding, BPE)', '(residual stream)', '(layer norm)', '(temperature)', '(causal mask)']) {
      assert.ok(Object.values(zhCn).some((s) => s.includes(term)), `no “${term}” in zh-cn`);
    }
  });

  test('zh-cn says each concept one way everywhere: 采样 (never 抽样), logit lens as 逐层预测 (never 逻辑透镜), surprisal with its minus sign', () => {
    const texts: [string, string][] = [
      ...Object.entries(zhCn).map(([key, text]): [string, string] => [`webview ${key}`, text]),
      ...['l10n/bundle.l10n.zh-cn.json', 'package.nls.zh-cn.json'].flatMap((file) =>
        Object.entries<string>(JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'))).map(([key, text]): [string, string] => [`${file} ${key}`, text])),
      ...fs.readdirSync(path.join(root, 'media/walkthrough')).map((file): [string, string] => [file, fs.readFileSync(path.join(root, 'media/walkthrough', file), 'utf8')]),
    ];
    assert.deepEqual(texts.filter(([, text]) => /抽样|逻辑透镜/.test(text)).map(([where]) => where), []);
    // "log2 p" alone is negative: a surprisal is its negation, written with the minus sign.
    assert.deepEqual(texts.filter(([, text]) => /意外度|surprisal/i.test(text) && /log[2₂] ?p/.test(text) && !/−log[2₂] ?p/.test(text)).map(([where]) => where), []);
    assert.match(zhCn['tab.logitLens'], /逐层预测 \(logit lens\)/);
  });

  test('translator fills placeholders from values and leaves unknown ones visible', () => {
    const t = translator(zhCn);
    assert.equal(t('step2.numbers', { id: 42, vocab: 50257 }), '编号 42（共 50257 个）');
    assert.equal(translator(en)('step2.numbers', { id: 42 }), 'id 42 of {vocab}');
  });
});
