// The Explain Tokens webview's HTML shell. Pure (strings in, string out) so that the CSP is
// testable without VS Code. Everything visible is built by dist/webview.js; the shell holds
// only the mount point, one stylesheet and one script.

export interface WebviewHtmlInput {
  /** webview.cspSource: the origin VS Code serves local resources from. */
  cspSource: string;
  /** Fresh per HTML document; only the script carrying it may run. */
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

/**
 * Scripts by nonce only; 'wasm-unsafe-eval' lets onnxruntime-web compile its .wasm (it allows
 * WebAssembly compilation, not JavaScript eval); fetches only from the resource origin (the
 * model, the wasm binary and the engine worker's script); workers only from blob: URLs (the
 * engine worker's script, fetched from the resource origin: a worker cannot be started from
 * another origin); no inline styles (styles come from media/ and CSSOM).
 */
export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}' 'wasm-unsafe-eval'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
    `connect-src ${cspSource}`,
    'worker-src blob:',
  ].join('; ');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function webviewHtml(input: WebviewHtmlInput): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(input.nonce)) throw new Error('webview nonce must be at least 16 base64 characters');
  const csp = escapeAttribute(contentSecurityPolicy(input.cspSource, input.nonce));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttribute(input.styleUri)}">
<title>LLM Lens: Explain Tokens</title>
</head>
<body>
<main id="lens-root" aria-live="polite"><p class="lens-boot">Starting LLM Lens…</p></main>
<script type="module" nonce="${escapeAttribute(input.nonce)}" src="${escapeAttribute(input.scriptUri)}"></script>
</body>
</html>`;
}
