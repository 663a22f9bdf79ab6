// The VS Code side's strings: every user-facing manifest string is a %key% of package.nls.json,
// every message the host localises (vscode.l10n.t or a pure module's `localize`) is in
// l10n/bundle.l10n.json with a Chinese twin, and the walkthrough's steps point at real files.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { english, type Localize } from '../../src/localize';
import { explainNotes, sourceLabel } from '../../src/commands/explain-request';
import { pickText } from '../../src/text-range';
import { tooSlowToTokenize } from '../../src/tokenize-cost';
import { renderHover } from '../../src/hover/hover-markdown';

const root = path.join(__dirname, '..', '..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));
const manifest = readJson('package.json');
const nls: Record<string, string> = readJson('package.nls.json');
const nlsZh: Record<string, string> = readJson('package.nls.zh-cn.json');
const bundle: Record<string, string> = readJson('l10n/bundle.l10n.json');
const bundleZh: Record<string, string> = readJson('l10n/bundle.l10n.zh-cn.json');
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const commandLinks = (s: string) => [...s.matchAll(/\(command:([\w.]+)\)/g)].map((m) => m[1]).sort();

/** [where, value] of every string in the manifest a user reads. */
function userFacingStrings(): [string, unknown][] {
  const c = manifest.contributes;
  const found: [string, unknown][] = [['displayName', manifest.displayName], ['description', manifest.description]];
  for (const command of c.commands) found.push([`${command.command}.title`, command.title], [`${command.command}.category`, command.category]);
  found.push(['configuration.title', c.configuration.title]);
  for (const [name, property] of Object.entries<Record<string, unknown>>(c.configuration.properties)) {
    for (const field of ['description', 'markdownDescription', 'deprecationMessage']) if (field in property) found.push([`${name}.${field}`, property[field]]);
    for (const [i, text] of ((property.enumDescriptions as unknown[]) ?? []).entries()) found.push([`${name}.enumDescriptions[${i}]`, text]);
  }
  for (const color of c.colors) found.push([`${color.id}.description`, color.description]);
  for (const walkthrough of c.walkthroughs ?? []) {
    found.push([`${walkthrough.id}.title`, walkthrough.title], [`${walkthrough.id}.description`, walkthrough.description]);
    for (const step of walkthrough.steps) found.push([`${step.id}.title`, step.title], [`${step.id}.description`, step.description]);
  }
  return found;
}

/** Messages passed as a literal to vscode.l10n.t(...) or to a pure module's localize(...) in src/. */
function localisedMessages(): { file: string; message: string }[] {
  const found: { file: string; message: string }[] = [];
  const visit = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.name.endsWith('.ts')) {
        const source = fs.readFileSync(full, 'utf8');
        for (const match of source.matchAll(/\b(?:l10n\.t|localize)\(\s*(['"])((?:\\.|(?!\1)[^\\])*)\1/g)) {
          found.push({ file: path.relative(root, full), message: match[2].replace(/\\(.)/g, '$1') });
        }
        // A template literal cannot be looked up: VS Code matches the message text exactly.
        assert.doesNotMatch(source, /\b(?:l10n\.t|localize)\(\s*`/, `${full}: l10n.t with a template literal`);
      }
    }
  };
  visit(path.join(root, 'src'));
  return found;
}

describe('VS Code side strings', () => {
  test('every user-facing manifest string is a %key% that package.nls.json defines', () => {
    const literal = userFacingStrings().filter(([, value]) => typeof value !== 'string' || !/^%[\w.-]+%$/.test(value));
    assert.deepEqual(literal.map(([where]) => where), [], 'manifest strings not localised');
    const undefinedKeys = userFacingStrings().map(([, value]) => (value as string).slice(1, -1)).filter((key) => typeof nls[key] !== 'string');
    assert.deepEqual(undefinedKeys, [], 'keys missing from package.nls.json');
  });

  test('package.nls.zh-cn.json: no key missing or extra, command links and placeholders kept', () => {
    assert.deepEqual(Object.keys(nls).filter((k) => !nlsZh[k]?.trim()), [], 'keys missing from package.nls.zh-cn.json');
    assert.deepEqual(Object.keys(nlsZh).filter((k) => !(k in nls)), [], 'keys only in package.nls.zh-cn.json');
    for (const key of Object.keys(nls)) {
      assert.deepEqual(commandLinks(nlsZh[key]), commandLinks(nls[key]), `command links of ${key}`);
      assert.deepEqual(placeholders(nlsZh[key]), placeholders(nls[key]), `placeholders of ${key}`);
    }
  });

  test('every localised host message is in l10n/bundle.l10n.json (key = English) and its zh-cn twin', () => {
    const messages = localisedMessages();
    assert.ok(messages.length >= 10, `only ${messages.length} localised messages found in src/`);
    assert.deepEqual(messages.filter(({ message }) => bundle[message] !== message).map(({ file, message }) => `${file}: ${message}`), [], 'missing from bundle.l10n.json');
    assert.deepEqual(Object.keys(bundle).filter((k) => !bundleZh[k]?.trim()), [], 'keys missing from bundle.l10n.zh-cn.json');
    const used = new Set(messages.map(({ message }) => message));
    assert.deepEqual(Object.keys(bundle).filter((k) => !used.has(k)), [], 'bundle entries no source uses');
    for (const key of Object.keys(bundle)) assert.deepEqual(placeholders(bundleZh[key]), placeholders(key), `placeholders of “${key}”`);
  });

  test('the manifest names the l10n folder, and the .vsix ships it', () => {
    assert.equal(manifest.l10n, './l10n');
    const ignore = fs.readFileSync(path.join(root, '.vscodeignore'), 'utf8');
    assert.match(ignore, /^!l10n\/\*\.json$/m);
    assert.match(ignore, /^!package\.nls\*\.json$/m);
  });

  test('the getting-started walkthrough: ten steps, each with its markdown and a completion event', () => {
    const [walkthrough] = manifest.contributes.walkthroughs;
    assert.equal(nls[walkthrough.title.slice(1, -1)], 'Get started with LLM Lens');
    assert.deepEqual(walkthrough.steps.map((s: { id: string }) => s.id), ['openSample', 'selectText', 'explainTokens', 'hover', 'attention', 'embeddings', 'vectors', 'pipeline', 'generate', 'chat']);
    const commands = new Set(manifest.contributes.commands.map((c: { command: string }) => c.command));
    for (const step of walkthrough.steps) {
      assert.ok(fs.existsSync(path.join(root, step.media.markdown)), `${step.id}: ${step.media.markdown} does not exist`);
      assert.ok(step.completionEvents.length > 0, `${step.id} never completes`);
      for (const event of step.completionEvents as string[]) {
        const command = event.match(/^onCommand:(.+)$/)?.[1];
        // Built-in commands are VS Code's own; ours must be contributed (and so registered, which the smoke test checks).
        if (command?.startsWith('llmLens.') && command !== 'llmLens.explainAt') {
          assert.ok(commands.has(command), `${step.id}: ${command} is not a contributed command`);
        }
      }
      for (const link of commandLinks(nls[step.description.slice(1, -1)])) {
        if (link.startsWith('llmLens.')) assert.ok(commands.has(link), `${step.id} links to ${link}, which is not contributed`);
      }
    }
    assert.ok(fs.existsSync(path.join(root, 'media/walkthrough/sample.md')), 'the sample the first step opens');
  });

  test('pure modules say their messages through the localize the host gives them (here: the zh-cn bundle)', () => {
    const chinese: Localize = (message, ...args) => english(bundleZh[message] ?? `MISSING: ${message}`, ...args);
    assert.equal(sourceLabel('selection', 'a.py', 2, 6, chinese), 'a.py 中选中的文字，第 3–7 行');
    assert.equal(sourceLabel('document', 'a.py', 0, 0, chinese), 'a.py 全文（没有选中文字）');
    assert.deepEqual(pickText('', { start: 0, end: 0 }, 0, chinese), { ok: false, reason: '文档是空的' });
    assert.match(tooSlowToTokenize('y'.repeat(40_000), chinese)!, /^文字中有连续 40,000 个同类字符/);
    const notes = explainNotes({ text: 'x', totalTokens: 600, contextTokens: 512 }, chinese);
    assert.ok(notes.some((note) => note.startsWith('模型一次最多读 512 个词元')), notes.join(' | '));
    const hover = renderHover({ token: { id: 7, text: '](command:x)', start: 0, end: 1, bytes: '' }, unavailable: '<b>', tokenText: String, openPanelLink: 'command:llmLens.explainAt' }, chinese);
    assert.match(hover, /词元 \(token\) \*\*\\\]\\\(command\\:x\\\)\*\* · 编号 7/);
    assert.ok(hover.includes('没有下一个词元的概率分布：&#60;b&#62;'), hover);
    assert.ok(hover.endsWith('[在 LLM Lens 面板中打开](command:llmLens.explainAt)'), hover);
    // The English default fills the same placeholders.
    assert.equal(sourceLabel('selection', 'a.py', 2, 2), 'Selection in a.py, line 3');
  });

  test('VS Code language zh-cn: the manifest resolves to Chinese and the zh-cn l10n bundle exists where VS Code looks', () => {
    // VS Code reads package.nls.<language>.json and <l10n>/bundle.l10n.<language>.json (language lower-cased).
    const language = 'zh-CN'.toLowerCase();
    const nlsFor: Record<string, string> = readJson(`package.nls.${language}.json`);
    const resolve = (value: string) => value.replace(/^%([\w.-]+)%$/, (_, key: string) => nlsFor[key] ?? nls[key]!);
    const explain = manifest.contributes.commands.find((c: { command: string }) => c.command === 'llmLens.explainTokens');
    assert.equal(resolve(explain.title), '解释词元 (Explain Tokens)');
    assert.equal(resolve(manifest.contributes.walkthroughs[0].title), 'LLM Lens 入门');
    const zh: Record<string, string> = readJson(path.join(manifest.l10n, `bundle.l10n.${language}.json`));
    assert.equal(english(zh['Nothing to explain: {0}.']!, '文档是空的'), '没有可解释的内容：文档是空的。');
  });
});
