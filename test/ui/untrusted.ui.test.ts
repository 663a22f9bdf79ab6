// A person points llmLens.modelPath at a folder whose config.json says its model_type is a command
// link (a model downloaded from anywhere can), and runs Explain Tokens. The warning VS Code draws
// must show the value as text: no link in the notification's DOM, the payload readable as written.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCodeServer, type CodeServer } from '../harness/code-server';
import { repoRoot, workspaceFixture } from '../harness/paths';
import { openFile, openWorkbench, runCommand, screenshot, type Workbench } from '../harness/workbench';

const BUNDLED = path.join(repoRoot, 'media/models/tiny-gpt2-software');
/**
 * A command link like the (as a link in a warning, it opened a terminal), short enough that
 * the loader's message quotes it whole: values read from a file are quoted to 40 characters.
 */
const PAYLOAD = '[Fix](command:workbench.action.quit)';

let tmp: string;
let server: CodeServer;
let workbench: Workbench;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-hostile-'));
  const folder = path.join(tmp, 'hostile-model');
  fs.mkdirSync(folder);
  fs.copyFileSync(path.join(BUNDLED, 'model.safetensors'), path.join(folder, 'model.safetensors'));
  const config = JSON.parse(fs.readFileSync(path.join(BUNDLED, 'config.json'), 'utf8'));
  fs.writeFileSync(path.join(folder, 'config.json'), JSON.stringify({ ...config, model_type: PAYLOAD }));
  server = await startCodeServer({ workspace: workspaceFixture, extensionDevelopmentPath: repoRoot, settings: { 'llmLens.modelPath': folder } });
  workbench = await openWorkbench(server);
});

after(async () => {
  await workbench?.close();
  await server?.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('a command link in config.json shows in the warning as text, not as a link', { timeout: 180_000 }, async () => {
  const { page } = workbench;
  await openFile(page, 'sample.py');
  await runCommand(page, 'LLM Lens: Explain Tokens', 120_000);
  const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: 'cannot be used' });
  await toast.first().waitFor({ timeout: 120_000 });
  const message = toast.first().locator('.notification-list-item-message');
  const links = await message.locator('a').evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
  assert.deepEqual(links, [], 'the notification holds a link');
  // The word joiner that breaks the link pattern is invisible; what a reader sees is the value as written.
  const shown = (await message.innerText()).replaceAll('\u2060', '');
  assert.ok(shown.includes(`model_type ${JSON.stringify(PAYLOAD)} is not supported`), shown);
  // Expanded, so that the screenshot shows the whole message.
  await toast.first().hover();
  await toast.first().locator('.codicon-notifications-expand').click();
  await screenshot(page, 'untrusted-notification');
});
