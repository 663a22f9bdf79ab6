// LLM Lens: Explain Tokens. Takes the selection (or the paragraph / short document), tokenizes it
// here for an immediate view, paints token boundaries, and asks the panel's model for the
// numbers; when they arrive it paints the heat map. Resolves with what happened, which is also
// what the test API reports.
import * as vscode from 'vscode';
import { countTokensInSlices, loadEncoding } from '../engine/tokenizer';
import type { ModelWorkerClient } from '../model-worker/client';
import type { OpenResult } from '../model-worker/messages';
import type { TokenDecorations } from '../decorations/token-decorations';
import type { TokenScoreValue } from '../decorations/token-tracking';
import { effectiveHeatMode, readSettings, viewSettings, type LensSettings } from '../config';
import { errorText, type Reporter } from '../log';
import { BUNDLED_MODEL_FOLDER, type ModelLocation, type ResolvedModel } from '../model-location';
import type { ExplainPanel } from '../panel/explain-panel';
import type { PanelHost } from '../panel/panel-host';
import type { PositionPrediction, TokenSpan, WeightPrecision } from '../engine/types';
import type { AnalysedRegion } from '../hover/region-cache';
import { ENCODINGS, LIMITS, type AnalysisMessage, type EncodingCounts, type ExplainMessage, type ExplainSource, type SourceKind } from '../protocol';
import { pickText } from '../text-range';
import { tooSlowToTokenize } from '../tokenize-cost';
import { labelText } from '../untrusted-text';
import { MAX_EXPLAIN_CHARS, buildExplainMessage } from './explain-request';

export type ExplainStatus = 'done' | 'failed' | 'nothing' | 'superseded' | 'closed';

/** The result of one Explain Tokens run. */
export interface ExplainOutcome {
  status: ExplainStatus;
  /** What the user was told, for every status but 'done' and 'superseded'. */
  message?: string;
  runId?: number;
  source?: ExplainSource;
  uri?: string;
  /** Document offsets of the explained text. */
  start?: number;
  end?: number;
  totalTokens?: number;
  /** Tokens sent to the panel (capped for very long texts). */
  shownTokens?: number;
  /** Tokens the model scored (all it read but the first). */
  scoredTokens?: number;
  counts?: EncodingCounts;
  /** The remarks the panel showed (binary-looking text, capped view, truncation). */
  notes?: string[];
  backend?: string;
  /** How the model held its weights: float32, or 8 bits (llmLens.weights, or a model too big for float32). */
  weights?: WeightPrecision;
  /** The model's name (its folder's name). */
  model?: string;
  /** Why the configured model (llmLens.model or llmLens.modelPath) could not be used (the bundled one ran instead). */
  modelProblem?: string;
}

export interface ExplainDependencies {
  extensionUri: vscode.Uri;
  reporter: Reporter;
  /** Reads the model's tokenizer and tokenizes off the extension host's thread. */
  worker: Pick<ModelWorkerClient, 'open' | 'tokenize'>;
  /** The model to run (the configured one, or the bundled one with the reason). */
  selectModel: () => Promise<ResolvedModel>;
  decorations: TokenDecorations;
  panels: PanelHost;
  /** Receives each finished analysis as a region of the document (the hover answers from it). */
  onAnalysed?: (uri: vscode.Uri, region: AnalysedRegion) => void;
  /** Receives each run as the editor starts showing it (the attention shading refers to its tokens). */
  onShown?: (document: vscode.TextDocument, documentStart: number, message: ExplainMessage) => void;
}

/** The analysed tokens with document offsets and what the model predicted after each. */
function analysedRegion(message: ExplainMessage, analysis: AnalysisMessage, documentStart: number, topK: number): AnalysedRegion | undefined {
  const byIndex = new Map(analysis.predictions.map((p) => [p.index, p]));
  const scores = new Map(analysis.scores.map((s) => [s.index, s]));
  const first = analysis.predictions[0]?.index;
  if (first === undefined) return undefined;
  const tokens: TokenSpan[] = [];
  const predictions: PositionPrediction[] = [];
  for (let index = first; byIndex.has(index) && index < message.tokens.length; index++) {
    const token = message.tokens[index]!;
    const next = scores.get(index + 1);
    const { top, entropy } = byIndex.get(index)!;
    tokens.push({ ...token, start: documentStart + token.start, end: documentStart + token.end });
    predictions.push({ top, entropy, target: next ? { id: message.tokens[index + 1]!.id, logprob: next.logprob, rank: next.rank } : null });
  }
  return { tokens, predictions, topK };
}

function loadCountEncodings(): Promise<unknown> {
  return Promise.all(ENCODINGS.map((name) => loadEncoding(name)));
}

/**
 * The text's token count under each OpenAI encoding (loadCountEncodings first), in slices that keep
 * the extension host responsive. Where the model reads r50k_base without additions (GPT-2), the
 * model's count is that encoding's: no second pass over the text.
 */
async function countAll(text: string, model: { tokenizer: OpenResult['tokenizer']; count: number }): Promise<EncodingCounts> {
  const counts = {} as EncodingCounts;
  for (const name of ENCODINGS) {
    counts[name] = name === model.tokenizer.name && !model.tokenizer.addsBos ? model.count : await countTokensInSlices(text, name);
  }
  return counts;
}

/** The last line holding explained text: a selection that ends at a line's start does not include that line. */
function lastLineOf(document: vscode.TextDocument, start: number, end: number): number {
  const last = document.positionAt(end);
  return last.character === 0 && end > start && last.line > document.positionAt(start).line ? last.line - 1 : last.line;
}

export class ExplainTokensCommand {
  private runCounter = 0;
  private last: ExplainOutcome | undefined;
  /** The model problem last shown as a notification: the log gets it every run, the user once. */
  private shownModelProblem: string | undefined;

  constructor(private readonly deps: ExplainDependencies) {}

  lastOutcome(): ExplainOutcome | undefined {
    return this.last;
  }

  async run(): Promise<ExplainOutcome> {
    let outcome: ExplainOutcome;
    try {
      outcome = await this.explain();
    } catch (error) {
      outcome = this.fail(vscode.l10n.t('Explain Tokens failed: {0}', errorText(error)));
    }
    if (outcome.status !== 'superseded') this.last = outcome;
    return outcome;
  }

  private nothing(message: string): ExplainOutcome {
    this.deps.reporter.notice(message);
    return { status: 'nothing', message };
  }

  private fail(message: string, partial: ExplainOutcome = { status: 'failed' }): ExplainOutcome {
    this.deps.reporter.error(message);
    return { ...partial, status: 'failed', message };
  }

  private async explain(): Promise<ExplainOutcome> {
    const { reporter, panels, extensionUri } = this.deps;
    const editor = vscode.window.activeTextEditor;
    if (!editor) return this.nothing(vscode.l10n.t('Nothing to explain: open a file and select some text first.'));
    let resolved: ResolvedModel;
    try {
      resolved = await this.deps.selectModel();
    } catch (error) {
      reporter.warn(errorText(error));
      return this.fail(vscode.l10n.t('The bundled model is missing from {0}. Reinstall the extension.', vscode.Uri.joinPath(extensionUri, ...BUNDLED_MODEL_FOLDER).fsPath));
    }
    const { model, problem: modelProblem } = resolved;
    // Why the configured model is not used, or that memory is short for it.
    const modelNotice = modelProblem ?? resolved.warning;
    if (modelNotice && modelNotice !== this.shownModelProblem) reporter.notice(modelNotice);
    else if (modelNotice) reporter.warn(modelNotice);
    this.shownModelProblem = modelNotice;
    const document = editor.document;
    const version = document.version;
    const documentText = document.getText();
    const selection = editor.selection;
    const picked = pickText(
      documentText,
      { start: document.offsetAt(selection.start), end: document.offsetAt(selection.end) },
      document.offsetAt(selection.active),
      vscode.l10n.t,
    );
    if (!picked.ok) return this.nothing(vscode.l10n.t('Nothing to explain: {0}.', picked.reason));
    const { kind, start, end } = picked.pick;
    const text = documentText.slice(start, end);
    if (text.length > MAX_EXPLAIN_CHARS) {
      return this.fail(
        vscode.l10n.t(
          'The text is too long to explain: {0} characters; Explain Tokens takes at most {1}. Select a part of it.',
          text.length.toLocaleString('en-US'),
          MAX_EXPLAIN_CHARS.toLocaleString('en-US'),
        ),
      );
    }
    const slow = tooSlowToTokenize(text, vscode.l10n.t);
    if (slow) return this.fail(vscode.l10n.t('Cannot explain this text: {0}.', slow));

    const runId = ++this.runCounter;
    const settings = readSettings();
    // A fresh webview takes about a second to show its page (bench/panel-cold.ts measures an empty
    // one): opened first, it starts while the text is tokenized and counted.
    const before = panels.current;
    const panel = panels.open(settings.backend, viewSettings(settings), model, settings.weights);
    let shown = false;
    try {
      const prepared = await this.prepareRun({ runId, document, version, start, end, kind, text, model, modelProblem, settings });
      if (prepared.kind === 'outcome') return prepared.outcome;
      shown = true;
      return await this.show(runId, panel, prepared.message, prepared.base, { document, version, start, settings });
    } finally {
      // A panel opened for this run and left with nothing to show (the text changed meanwhile, or
      // tokenizing failed) would say "Starting LLM Lens…" for good; a later run takes over its own.
      if (!shown && panel !== before && runId === this.runCounter) panel.dispose();
    }
  }

  /** Tokenizes and counts the picked text, and builds the panel's message for it. */
  private async prepareRun(run: {
    runId: number;
    document: vscode.TextDocument;
    version: number;
    start: number;
    end: number;
    kind: SourceKind;
    text: string;
    model: ModelLocation;
    modelProblem: string | undefined;
    settings: LensSettings;
  }): Promise<{ kind: 'outcome'; outcome: ExplainOutcome } | { kind: 'message'; message: ExplainMessage; base: ExplainOutcome }> {
    const { runId, document, version, start, end, kind, text, model, modelProblem, settings } = run;
    // A megabyte takes a tokenizer a second or more: the model's tokenizer runs in the worker, the
    // OpenAI counts here in slices, so the editor stays responsive; the offsets are only good if
    // the document did not change meanwhile.
    await loadCountEncodings();
    const opened = await this.deps.worker.open();
    const { total, tail: tokens } = await this.deps.worker.tokenize(text, LIMITS.tokensPerMessage);
    const counts = await countAll(text, { tokenizer: opened.tokenizer, count: total });
    if (runId !== this.runCounter) return { kind: 'outcome', outcome: { status: 'superseded', runId } };
    if (document.version !== version || document.isClosed) {
      return { kind: 'outcome', outcome: this.nothing(vscode.l10n.t('The text changed while LLM Lens was reading it; run Explain Tokens again.')) };
    }
    const fileName = document.uri.path.split('/').pop() || document.uri.toString();
    const message = buildExplainMessage({
      runId,
      kind,
      fileName,
      firstLine: document.positionAt(start).line,
      lastLine: lastLineOf(document, start, end),
      text,
      tokens,
      totalTokens: total,
      counts,
      modelCount: { tokenizer: opened.tokenizer.name, count: total },
      settings: viewSettings(settings),
      contextTokens: Math.min(model.config.nPositions, LIMITS.analysisTokens),
    }, vscode.l10n.t);
    const base: ExplainOutcome = {
      status: 'done',
      runId,
      source: message.source,
      uri: document.uri.toString(),
      start,
      end,
      totalTokens: total,
      shownTokens: message.tokens.length,
      counts,
      notes: message.notes,
      model: model.name,
      ...(modelProblem ? { modelProblem } : {}),
    };
    this.deps.reporter.info(`run ${runId}: ${message.source.label}: ${text.length} characters, ${total} ${opened.tokenizer.name} tokens (showing ${message.tokens.length})`);
    return { kind: 'message', message, base };
  }

  /** The run in the editor (boundaries now, heat when scored) and in the panel; its outcome once the panel has analysed it. */
  private async show(
    runId: number,
    panel: ExplainPanel,
    message: ExplainMessage,
    base: ExplainOutcome,
    at: { document: vscode.TextDocument; version: number; start: number; settings: LensSettings },
  ): Promise<ExplainOutcome> {
    const { reporter, decorations } = this.deps;
    const { document, version, start, settings } = at;
    // The label holds the file's name: a `$(name)` there is text, not an icon.
    const explaining = `${message.source.label.charAt(0).toLowerCase()}${message.source.label.slice(1)}`;
    vscode.window.setStatusBarMessage(vscode.l10n.t('LLM Lens: explaining {0}', labelText(explaining)), 5000);

    decorations.setHeatMode(effectiveHeatMode(settings));
    decorations.show(
      document,
      runId,
      message.tokens.map((token, index) => ({ start: start + token.start, end: start + token.end, index })),
    );
    this.deps.onShown?.(document, start, message);

    const result = await panel.explain(message);
    switch (result.kind) {
      case 'superseded':
        return { ...base, status: 'superseded' };
      case 'closed': {
        const closed = vscode.l10n.t('The LLM Lens panel was closed before the model finished; the editor shows token boundaries only.');
        reporter.notice(closed);
        return { ...base, status: 'closed', message: closed };
      }
      case 'failed':
        return this.fail(vscode.l10n.t('The model could not analyse the text: {0}', result.message), base);
      case 'analysis': {
        const { analysis } = result;
        const scores = new Map<number, TokenScoreValue>(analysis.scores.map((s) => [s.index, { logprob: s.logprob, rank: s.rank }]));
        decorations.setScores(document.uri, runId, scores);
        // Offsets are only still right if nothing was typed while the model ran.
        const region = document.version === version ? analysedRegion(message, analysis, start, settings.topK) : undefined;
        if (region) this.deps.onAnalysed?.(document.uri, region);
        reporter.info(
          `run ${runId}: ${analysis.model} on ${analysis.backend.name} (${analysis.backend.reason}) scored ${analysis.scores.length} tokens` +
            ` in ${analysis.timings.analyzeMs.toFixed(0)} ms (model load ${analysis.timings.loadMs.toFixed(0)} ms)`,
        );
        return { ...base, scoredTokens: analysis.scores.length, backend: analysis.backend.name, weights: analysis.backend.weights?.precision ?? 'float32' };
      }
    }
  }
}
