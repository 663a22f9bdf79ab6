// The Explain Tokens webview panel: creates it with a strict CSP, hands it the model's URIs,
// sends it runs and resolves each run with the analysis the webview sends back. Every message
// from the webview is validated (protocol.ts) and checked against the run it claims to answer.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { BackendPreference, WeightPreference } from '../engine/types';
import type { Reporter } from '../log';
import type { ModelLocation } from '../model-location';
import {
  LIMITS,
  analysisMismatch,
  clipMessage,
  parseWebviewMessage,
  type AnalysisMessage,
  type AttentionMessage,
  type EngineAnswerMessage,
  type EngineCallMessage,
  type ExplainMessage,
  type HostMessage,
  type InsertTextMessage,
  type ScoresMessage,
  type ViewSettings,
} from '../protocol';
import type { PanelAnswer, PanelLoadResult } from '../model-worker/messages';
import { webviewHtml } from './webview-html';
import { clippedText } from '../untrusted-text';

export const WASM_FILE = ['dist', 'ort', 'ort-wasm-simd-threaded.asyncify.wasm'] as const;
export const ENGINE_WORKER_FILE = ['dist', 'webview-engine.js'] as const;

/** Longest a run may take before the host gives up on the webview (model load included). */
const RUN_TIMEOUT_MS = 180_000;

export type RunResult =
  | { kind: 'analysis'; analysis: AnalysisMessage }
  | { kind: 'failed'; message: string }
  /** A newer run replaced it before it finished. */
  | { kind: 'superseded' }
  /** The user closed the panel before it finished. */
  | { kind: 'closed' };

interface PendingRun {
  message: ExplainMessage;
  settle: (result: RunResult) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** The extension host's model worker, as the panel may ask it (ModelWorkerClient). */
export interface HostModel {
  panelLoad(): Promise<PanelLoadResult>;
  panelCall(method: string, args: unknown[]): Promise<PanelAnswer>;
}

export interface PanelOptions {
  extensionUri: vscode.Uri;
  reporter: Reporter;
  backend: BackendPreference;
  /** float32 or 8-bit weights for the page's own model (the host's worker reads the setting itself). */
  weights?: WeightPreference;
  settings: ViewSettings;
  /** The model the page loads; fixed for the panel's life (a different one gets a new panel). */
  model: ModelLocation;
  /** An attention row the panel sent (a click there, or the answer to showAttention); type-checked only. */
  onAttention?: (message: AttentionMessage) => void;
  /** Generated text the panel asks to insert into the editor. */
  onInsertText?: (message: InsertTextMessage) => void;
  /** Scores of earlier tokens of the latest run, checked against its tokens, as each window finishes. */
  onScores?: (message: ScoresMessage) => void;
  /**
   * The host's model worker, holding the same model: offered to the page, which asks it instead
   * of loading its own copy when it has no hardware WebGPU adapter.
   */
  hostModel?: HostModel;
}

export class ExplainPanel implements vscode.Disposable {
  private readonly panel: vscode.WebviewPanel;
  private readonly disposables: vscode.Disposable[] = [];
  private ready = false;
  private pending: PendingRun | undefined;
  /** The latest run the page finished analysing: its earlier tokens' scores may still come. */
  private analysed: ExplainMessage | undefined;
  private closed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  /** Fires once when the panel closes. */
  readonly onDidDispose = this.disposeEmitter.event;

  constructor(private readonly options: PanelOptions) {
    const { extensionUri } = options;
    this.panel = vscode.window.createWebviewPanel(
      'llmLens.explainTokens',
      vscode.l10n.t('LLM Lens: Tokens'),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      {
        enableScripts: true,
        // The model takes seconds to load into the webview; keeping the page alive while the
        // panel is hidden avoids loading it again each time the user switches tabs.
        retainContextWhenHidden: true,
        // The bundled model is under media/; a model of the user's is readable from its own folder only.
        localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media'), ...(options.model.bundled ? [] : [options.model.folder])],
      },
    );
    this.panel.iconPath = {
      light: vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'lens-light.svg'),
      dark: vscode.Uri.joinPath(extensionUri, 'media', 'icons', 'lens-dark.svg'),
    };
    const webview = this.panel.webview;
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      nonce: randomBytes(18).toString('base64'),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'lens.css')).toString(),
    });
    this.disposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      this.panel.onDidDispose(() => this.onClosed()),
    );
  }

  get visible(): boolean {
    return this.panel.visible;
  }

  get model(): ModelLocation {
    return this.options.model;
  }

  reveal(): void {
    this.panel.reveal(vscode.ViewColumn.Beside, true);
  }

  /** Shows a run; resolves when the webview has analysed it, failed, or the run was replaced or closed. */
  explain(message: ExplainMessage): Promise<RunResult> {
    // Closed while the run was being tokenized (the panel opens first).
    if (this.closed) return Promise.resolve({ kind: 'closed' });
    this.settle({ kind: 'superseded' });
    return new Promise<RunResult>((resolve) => {
      const timer = setTimeout(() => {
        this.settle({ kind: 'failed', message: vscode.l10n.t('the panel did not finish the analysis within {0} s', RUN_TIMEOUT_MS / 1000) });
      }, RUN_TIMEOUT_MS);
      this.pending = { message, settle: resolve, timer };
      if (this.ready) void this.post(message);
    });
  }

  /** A new backend preference: the webview builds its engine again before the next run. */
  updateBackend(backend: BackendPreference, weights: WeightPreference = 'auto'): void {
    if (backend === this.options.backend && weights === (this.options.weights ?? 'auto')) return;
    this.options.backend = backend;
    this.options.weights = weights;
    if (this.ready) this.onReady();
  }

  updateSettings(settings: ViewSettings): void {
    this.options.settings = settings;
    if (this.ready) void this.post({ type: 'settings', settings });
  }

  /** Asks the panel to select token `index` of run `runId` in its Attention view; it answers with an attention message. */
  showAttention(runId: number, index: number): void {
    if (this.ready) void this.post({ type: 'showAttention', runId, index });
  }

  private settle(result: RunResult): void {
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    clearTimeout(pending.timer);
    pending.settle(result);
  }

  private post(message: HostMessage): Thenable<boolean> {
    return this.panel.webview.postMessage(message);
  }

  private receive(raw: unknown): void {
    const runId = typeof raw === 'object' && raw !== null ? (raw as { runId?: unknown }).runId : undefined;
    const run = this.analysed && this.analysed.runId === runId ? this.analysed : this.pending?.message;
    const message = parseWebviewMessage(raw, { chars: run?.totalChars ?? 0, tokens: run?.tokens.length ?? 0 });
    if (!message) {
      this.options.reporter.warn(`dropped an invalid message from the panel: ${describe(raw)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.onReady();
        break;
      case 'log':
        this.options.reporter.channel[message.level](`[panel] ${message.message}`);
        break;
      case 'insertText':
        this.options.onInsertText?.(message);
        break;
      case 'engineCall':
        void this.answerEngineCall(message);
        break;
      case 'attention':
        this.options.onAttention?.(message);
        break;
      case 'runFailed':
        if (message.runId === this.pending?.message.runId) this.settle({ kind: 'failed', message: message.message });
        break;
      case 'analysis': {
        const pending = this.pending;
        if (!pending || message.runId !== pending.message.runId) break;
        const mismatch = analysisMismatch(message, pending.message);
        if (mismatch) {
          this.options.reporter.warn(`dropped an analysis that does not match run ${pending.message.runId}: ${mismatch}`);
          break;
        }
        this.analysed = pending.message;
        this.settle({ kind: 'analysis', analysis: message });
        break;
      }
      case 'scores': {
        const run = this.analysed;
        // Windows of a run that a newer one replaced: nothing paints them any more.
        if (!run || message.runId !== run.runId || this.pending) break;
        const mismatch = analysisMismatch(message, run);
        if (mismatch) {
          this.options.reporter.warn(`dropped scores that do not match run ${run.runId}: ${mismatch}`);
          break;
        }
        this.options.onScores?.(message);
        break;
      }
    }
  }

  /** Asks the host's model worker what the page asked, and posts the answer (or the failure) back. */
  private async answerEngineCall(call: EngineCallMessage): Promise<void> {
    const hostModel = this.options.hostModel;
    let answer: EngineAnswerMessage;
    try {
      if (!hostModel) throw new Error('this panel runs its own model: the extension host has none to offer');
      if (call.method === 'load') {
        const started = performance.now();
        const { modelDir, ...loaded } = await hostModel.panelLoad();
        const mine = this.options.model.folder.fsPath;
        if (modelDir !== mine) throw new Error(`the extension host's worker holds ${modelDir}, not this panel's ${mine}: run Explain Tokens again`);
        // The panel's load is what it waited for; the worker's split says where its own load went.
        const value = { ...loaded, loadMs: performance.now() - started, sharedLoadMs: loaded.loadMs };
        answer = { type: 'engineAnswer', id: call.id, ok: true, value, backend: loaded.backend, tokens: [] };
      } else {
        const { value, backend, tokens } = await hostModel.panelCall(call.method, call.args);
        answer = { type: 'engineAnswer', id: call.id, ok: true, value, backend, tokens };
      }
    } catch (error) {
      const message = clipMessage(error instanceof Error ? error.message : String(error));
      this.options.reporter.channel.warn(`[panel] the model worker could not answer ${call.method}: ${message}`);
      answer = { type: 'engineAnswer', id: call.id, ok: false, message };
    }
    if (!this.closed) void this.post(answer);
  }

  /** The page (re)loaded, or the backend changed: give it the model and, if a run is waiting, the run. */
  private onReady(): void {
    this.ready = true;
    const webview = this.panel.webview;
    const uri = (...parts: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(this.options.extensionUri, ...parts)).toString();
    const { model } = this.options;
    const modelFile = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(model.folder, file)).toString();
    // A folder's name may be 255 bytes; the panel takes a shorter one (it only shows it).
    const modelName = clippedText(model.name, LIMITS.modelNameChars);
    if (modelName !== model.name) this.options.reporter.info(`the panel shows the model as "${modelName}": ${model.folder.fsPath}`);
    void this.post({
      type: 'init',
      modelName,
      model: {
        configUri: modelFile('config.json'),
        weights: model.files.weights.map((name) => ({ name, uri: modelFile(name) })),
        ...(model.files.shardIndex ? { shardIndexUri: modelFile(model.files.shardIndex) } : {}),
        ...(model.files.tokenizer ? { tokenizerUri: modelFile(model.files.tokenizer) } : {}),
        ...(model.files.tokenizerConfig ? { tokenizerConfigUri: modelFile(model.files.tokenizerConfig) } : {}),
        ...(model.files.generationConfig ? { generationConfigUri: modelFile(model.files.generationConfig) } : {}),
      },
      wasmUri: uri(...WASM_FILE),
      engineUri: uri(...ENGINE_WORKER_FILE),
      backend: this.options.backend,
      weights: this.options.weights ?? 'auto',
      settings: this.options.settings,
      language: vscode.env.language,
      hostEngine: this.options.hostModel !== undefined,
    });
    if (this.pending) void this.post(this.pending.message);
  }

  private onClosed(): void {
    this.closed = true;
    this.settle({ kind: 'closed' });
    for (const disposable of this.disposables) disposable.dispose();
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
  }

  dispose(): void {
    this.panel.dispose();
  }
}

function describe(raw: unknown): string {
  try {
    const text = JSON.stringify(raw) ?? String(raw);
    return text.length > 200 ? text.slice(0, 200) + '…' : text;
  } catch {
    return String(raw);
  }
}
