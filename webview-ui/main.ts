// Entry of dist/webview.js, loaded by the Explain Tokens panel's HTML (src/panel/webview-html.ts).
import { App } from './app';
import { HostBridge } from './host-bridge';

const root = document.getElementById('lens-root');
if (root) new App(root, new HostBridge()).start();
