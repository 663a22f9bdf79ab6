// Status bar item: the token count of the selection (or the whole document) with the tokenizer
// the user chose (the model's own, by default, or an OpenAI encoding); clicking it runs Explain
// Tokens. Counting is debounced and cached per document version; the model's tokenizer counts in
// the model worker, an OpenAI encoding here in slices that a newer count cancels, so that typing
// and moving the cursor never wait on the tokenizer (a megabyte takes it about a second).
import * as vscode from 'vscode';
import { countTokensInSlices, ENCODING_LABELS, loadEncoding } from './engine/tokenizer';
import type { Cancellation, ModelWorkerClient } from './model-worker/client';
import type { CountEncoding } from './protocol';
import { tooSlowToTokenize } from './tokenize-cost';

const DEBOUNCE_MS = 250;
/** Above this size the document is not counted on every change (a count of 5 MB takes about a second). */
export const MAX_COUNTED_CHARS = 5_000_000;

export interface CountTarget {
  /** 'selection' or 'document'. */
  scope: 'selection' | 'document';
  text: string;
}

/** What the item counts: the primary selection when it is not empty, else the document. */
export function countTarget(editor: vscode.TextEditor): CountTarget {
  const selection = editor.selection;
  if (!selection.isEmpty) return { scope: 'selection', text: editor.document.getText(selection) };
  return { scope: 'document', text: editor.document.getText() };
}

export class TokenCountStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('llmLens.tokenCount', vscode.StatusBarAlignment.Right, 100);
  private readonly subscriptions: vscode.Disposable[];
  private timer: ReturnType<typeof setTimeout> | undefined;
  /**
   * The last count and what it counted. The document is held as the object, not its URI: VS Code
   * gives a new untitled document the name of one just closed (untitled:Untitled-1 again), at the
   * same version, so a URI and version can name two different texts.
   */
  private cache: { document: vscode.TextDocument; key: string; count: number } | undefined;
  private lastCount: { count: number; scope: CountTarget['scope']; encoding: CountEncoding } | undefined;
  /** The newest update: only it may change what is shown; starting another aborts it. */
  private latest: { done: Promise<void>; abort: AbortController } | undefined;

  constructor(
    private encoding: CountEncoding,
    /** Counts with the model's own tokenizer, and says what it is called. */
    private readonly model: Pick<ModelWorkerClient, 'open' | 'count'>,
    private readonly onError: (message: string) => void,
  ) {
    this.item.name = 'LLM Lens token count';
    this.item.command = 'llmLens.explainTokens';
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.schedule()),
      vscode.window.onDidChangeTextEditorSelection((event) => {
        if (event.textEditor === vscode.window.activeTextEditor) this.schedule();
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (event.document === vscode.window.activeTextEditor?.document) this.schedule();
      }),
    ];
    this.schedule(0);
  }

  setEncoding(encoding: CountEncoding): void {
    this.encoding = encoding;
    this.schedule(0);
  }

  /** The count on display (for tests and the Explain command's message). */
  current(): { count: number; scope: CountTarget['scope']; encoding: CountEncoding } | undefined {
    return this.lastCount;
  }

  /** Counts now instead of after the debounce; resolves when the item shows the new count. */
  async refresh(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let update = this.startUpdate();
    // An editor or selection change meanwhile starts a newer update: the count shown is its.
    for (;;) {
      await update;
      if (this.latest!.done === update) return;
      update = this.latest!.done;
    }
  }

  private schedule(delay = DEBOUNCE_MS): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.startUpdate();
    }, delay);
  }

  private startUpdate(): Promise<void> {
    this.latest?.abort.abort();
    const abort = new AbortController();
    const done = this.update(abort.signal);
    this.latest = { done, abort };
    return done;
  }

  /** Counts for the active editor and shows it, unless a newer update started meanwhile (`superseded`). */
  private async update(superseded: AbortSignal): Promise<void> {
    const encoding = this.encoding;
    try {
      if (encoding !== 'model') await loadEncoding(encoding);
      if (superseded.aborted) return;
      const editor = vscode.window.activeTextEditor;
      if (!editor) {
        this.item.hide();
        this.lastCount = undefined;
        return;
      }
      const document = editor.document;
      if (document.getText().length > MAX_COUNTED_CHARS && editor.selection.isEmpty) {
        this.show(`$(symbol-numeric) ${vscode.l10n.t('— tokens')}`, vscode.l10n.t('The document is over {0} characters: select a part to count its tokens.', MAX_COUNTED_CHARS.toLocaleString('en-US')));
        this.lastCount = undefined;
        return;
      }
      const target = countTarget(editor);
      const selection = editor.selection;
      const key = [document.version, selection.start.line, selection.start.character, selection.end.line, selection.end.character, encoding].join('|');
      const cached = this.cache?.document === document && this.cache.key === key ? this.cache.count : undefined;
      if (cached === undefined) {
        const slow = tooSlowToTokenize(target.text, vscode.l10n.t);
        if (slow) {
          this.show(`$(symbol-numeric) ${vscode.l10n.t('— tokens')}`, vscode.l10n.t('Not counted: {0}.', slow));
          this.lastCount = undefined;
          return;
        }
      }
      const count = cached ?? (await this.countWith(encoding, target.text, superseded));
      this.cache = { document, key, count };
      if (superseded.aborted) return;
      this.lastCount = { count, scope: target.scope, encoding };
      const shown = count.toLocaleString('en-US');
      const label = count === 1 ? vscode.l10n.t('{0} token', shown) : vscode.l10n.t('{0} tokens', shown);
      const tokenizer = encoding === 'model' ? vscode.l10n.t("this model's tokenizer, {0}", (await this.model.open()).tokenizer.name) : ENCODING_LABELS[encoding];
      if (superseded.aborted) return;
      const where =
        target.scope === 'selection'
          ? vscode.l10n.t('{0} in the selection ({1}).', label, tokenizer)
          : vscode.l10n.t('{0} in the document ({1}).', label, tokenizer);
      this.show(`$(symbol-numeric) ${label}`, `${where}\n${vscode.l10n.t('Click to explain the tokens with LLM Lens.')}`);
    } catch (error) {
      if (superseded.aborted) return; // a newer update took over mid-count
      this.item.hide();
      this.onError(`could not count tokens: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private countWith(encoding: CountEncoding, text: string, superseded: AbortSignal): Promise<number> {
    if (encoding !== 'model') return countTokensInSlices(text, encoding, { signal: superseded });
    // A newer count drops this one if it is still queued in the worker.
    const cancellation: Cancellation = {
      get isCancellationRequested() {
        return superseded.aborted;
      },
      onCancellationRequested: (listener) => {
        superseded.addEventListener('abort', listener);
        return { dispose: () => superseded.removeEventListener('abort', listener) };
      },
    };
    return this.model.count(text, cancellation);
  }

  private show(text: string, tooltip: string): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.show();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.latest?.abort.abort();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }
}
