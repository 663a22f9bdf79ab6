import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, webviewHtml } from '../../src/panel/webview-html';

const input = { cspSource: 'https://file+.vscode-resource.vscode-cdn.net', nonce: 'abcdefghijklmnopqrstuvwx', scriptUri: 'https://x/dist/webview.js', styleUri: 'https://x/media/lens.css' };

describe('webview HTML and CSP', () => {
  test('scripts only by nonce, wasm compilation, fetches only from the resource origin, workers only from blob:', () => {
    const csp = contentSecurityPolicy(input.cspSource, input.nonce);
    assert.equal(
      csp,
      "default-src 'none'; script-src 'nonce-abcdefghijklmnopqrstuvwx' 'wasm-unsafe-eval'; style-src https://file+.vscode-resource.vscode-cdn.net; " +
        'img-src https://file+.vscode-resource.vscode-cdn.net data:; font-src https://file+.vscode-resource.vscode-cdn.net; connect-src https://file+.vscode-resource.vscode-cdn.net; ' +
        'worker-src blob:',
    );
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval'(?<!wasm-unsafe-eval')|\*/);
  });

  test('the page has one nonce script, one stylesheet, no inline style or handler', () => {
    const html = webviewHtml(input);
    assert.equal(html.match(/<script/g)!.length, 1);
    assert.match(html, /<script type="module" nonce="abcdefghijklmnopqrstuvwx" src="https:\/\/x\/dist\/webview.js">/);
    assert.match(html, /<link rel="stylesheet" href="https:\/\/x\/media\/lens.css">/);
    assert.doesNotMatch(html, /style=|<style|\son[a-z]+=/);
  });

  test('a weak nonce is refused; attribute values are escaped', () => {
    assert.throws(() => webviewHtml({ ...input, nonce: 'short' }), /nonce/);
    assert.match(webviewHtml({ ...input, scriptUri: 'https://x/a"b.js' }), /a&quot;b\.js/);
  });
});
