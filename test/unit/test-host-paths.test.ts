// The one rule that tells the tests, scripts/setup-test-host.sh and `npm run demo` where code-server is.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot, resolveTestHost } from '../harness/paths';

describe('test host location', () => {
  const root = '/repo';

  it('defaults to .vscode-test-host inside the repository', () => {
    assert.deepEqual(resolveTestHost({}, root), {
      dir: '/repo/.vscode-test-host',
      codeServer: '/repo/.vscode-test-host/cs/node_modules/.bin/code-server',
      source: 'default',
    });
  });

  it('follows LLM_LENS_TEST_HOST, as .ci/run sets it and setup-test-host.sh installs there', () => {
    assert.deepEqual(resolveTestHost({ LLM_LENS_TEST_HOST: '/cache/host' }, root), {
      dir: '/cache/host',
      codeServer: '/cache/host/cs/node_modules/.bin/code-server',
      source: 'LLM_LENS_TEST_HOST',
    });
  });

  it('takes LLM_LENS_CODE_SERVER as the launcher itself', () => {
    const host = resolveTestHost({ LLM_LENS_TEST_HOST: '/cache/host', LLM_LENS_CODE_SERVER: '/opt/cs/bin/code-server' }, root);
    assert.equal(host.codeServer, '/opt/cs/bin/code-server');
    assert.equal(host.source, 'LLM_LENS_CODE_SERVER');
  });

  it('reads setup-test-host.sh the same way: it installs into $LLM_LENS_TEST_HOST/cs, else <repo>/.vscode-test-host/cs', async () => {
    const script = fs.readFileSync(path.join(repoRoot, 'scripts/setup-test-host.sh'), 'utf8');
    assert.match(script, /HOST_DIR="\$\{LLM_LENS_TEST_HOST:-\$ROOT\/\.vscode-test-host\}"/);
    assert.match(script, /"\$HOST_DIR\/cs\/node_modules\/\.bin\/code-server"/);
  });
});
