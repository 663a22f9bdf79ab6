// The webview's side of the channel to the extension host: typed sends, validated receives.
import { clipMessage, parseHostMessage, type HostMessage, type LogLevel, type WebviewMessage } from '../src/protocol';

/** What VS Code injects into webviews (tests provide the same function). */
interface VsCodeApi {
  postMessage(message: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export class HostBridge {
  private readonly api: VsCodeApi = acquireVsCodeApi();

  post(message: WebviewMessage): void {
    this.api.postMessage(message);
  }

  log(level: LogLevel, message: string): void {
    this.post({ type: 'log', level, message: clipMessage(message) });
  }

  /** Calls `handler` with every valid message from the host; reports invalid ones back. */
  listen(handler: (message: HostMessage) => void): void {
    window.addEventListener('message', (event: MessageEvent<unknown>) => {
      const message = parseHostMessage(event.data);
      if (message) handler(message);
      else this.log('warn', `the panel dropped an invalid message: ${clipMessage(safeJson(event.data)).slice(0, 200)}`);
    });
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
