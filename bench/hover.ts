// `npm run bench` (second part): the hover figures, measured in the real extension host of a
// code-server, merged into bench/results.json.
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runExtensionSuite } from '../test/harness/code-server';
import { repoRoot, workspaceFixture } from '../test/harness/paths';

async function main(): Promise<void> {
  const suite = path.join(repoRoot, 'out/bench/hover-host.js');
  await esbuild.build({
    entryPoints: [path.join(repoRoot, 'bench/hover-host/suite.ts')], outfile: suite, bundle: true,
    platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'], logLevel: 'warning',
  });
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'llm-lens-bench-')), 'hover.json');
  const code = await runExtensionSuite({
    extensionDevelopmentPath: repoRoot, testsPath: suite, workspace: workspaceFixture, timeoutMs: 600_000,
    env: { LLM_LENS_BENCH_OUT: out },
  });
  if (code !== 0 || !fs.existsSync(out)) {
    console.error(`hover benchmark failed (exit ${code})`);
    process.exit(1);
  }
  const hover = JSON.parse(fs.readFileSync(out, 'utf8'));
  const file = path.join(repoRoot, 'bench/results.json');
  const results = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  fs.writeFileSync(file, JSON.stringify({ ...results, ...hover }, null, 2) + '\n');
  console.log(JSON.stringify(hover, null, 2));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
