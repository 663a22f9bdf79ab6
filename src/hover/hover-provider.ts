// The next-token hover. The main thread only reads a window of text; the model worker tokenizes
// it and runs the forward pass (tokenizing a window here took 1 ms typically but up to 10-30 ms
// now and then). Answers come from, in order: an analysed region (Explain Tokens), the cache of
// earlier hovers (by window text), or the worker.
import * as vscode from 'vscode';
import type { TokenEntry } from '../engine/model-tokenizer';
import type { LastPrediction, Neighbour, TokenSpan } from '../engine/types';
import { CancelledError, type ModelWorkerClient } from '../model-worker/client';
import type { HoverAtResult } from '../model-worker/messages';
import { hoverContext, hoverWindow, shiftSpan, type HoverWindow } from './hover-context';
import { renderHover } from './hover-markdown';
import { LruCache } from './lru-cache';
import { RegionCache, type RegionHit } from './region-cache';

export interface HoverSettings {
  enabled: boolean;
  /** Tokens of context before the hovered token (the model's context at most). */
  contextTokens: number;
  topK: number;
  temperature: number;
  /** Hovers are off in files larger than this, in characters. */
  maxFileLength: number;
  excludedLanguages: readonly string[];
}

export interface HoverDependencies {
  client: ModelWorkerClient;
  settings: () => HoverSettings;
  /** The model's tokens of a text, where the host can tokenize it (a fallback when the worker fails); [] otherwise. */
  tokenize: (text: string) => TokenSpan[];
  log: (message: string) => void;
  /** The command the hover's link runs to open the panel at a document offset. */
  openPanelCommand: string;
}

const NEIGHBOURS = 6;
const RECENT_DURATIONS = 256;

export class NextTokenHoverProvider implements vscode.HoverProvider, vscode.Disposable {
  private readonly predictions = new LruCache<string, HoverAtResult>(512);
  private readonly neighbours = new LruCache<number, Neighbour[]>(512);
  /** What ids show as in the model's vocabulary, as the worker said (only it has the model's tokenizer). */
  private readonly entries = new LruCache<number, TokenEntry>(4096);
  private readonly regions = new Map<string, RegionCache>();
  private readonly subscriptions: vscode.Disposable[];
  private readonly durations: number[] = [];
  private readonly syncMs: number[] = [];

  constructor(private readonly deps: HoverDependencies) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((e) => this.regions.get(e.document.uri.toString())?.edit(e.contentChanges)),
      vscode.workspace.onDidCloseTextDocument((d) => this.regions.delete(d.uri.toString())),
    ];
  }

  /** Analysed regions per document: Explain Tokens adds its analysis here so hovers inside it are instant. */
  regionsOf(uri: vscode.Uri): RegionCache {
    const key = uri.toString();
    let cache = this.regions.get(key);
    if (!cache) this.regions.set(key, (cache = new RegionCache()));
    return cache;
  }

  cacheSizes(): { cachedPredictions: number; analysedRegions: number } {
    let analysedRegions = 0;
    for (const cache of this.regions.values()) analysedRegions += cache.regionCount;
    return { cachedPredictions: this.predictions.size, analysedRegions };
  }

  /** Another model now answers: what the old one predicted must not be shown. */
  forgetPredictions(): void {
    this.predictions.clear();
    this.neighbours.clear();
    this.entries.clear();
    this.regions.clear();
  }

  /** How long the last hovers took, provider call to hover object, in ms (newest last). */
  recentDurations(): number[] {
    return [...this.durations];
  }

  /** For the last hovers, the longest stretch each ran on the extension host's thread without yielding, in ms. */
  recentSyncMs(): number[] {
    return [...this.syncMs];
  }

  async provideHover(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    const start = performance.now();
    const hover = await this.hoverAt(document, position, token);
    if (hover) {
      this.durations.push(performance.now() - start);
      if (this.durations.length > RECENT_DURATIONS) this.durations.shift();
    }
    return hover;
  }

  private async hoverAt(document: vscode.TextDocument, position: vscode.Position, token: vscode.CancellationToken): Promise<vscode.Hover | undefined> {
    let syncStart = performance.now();
    let longest = 0;
    const yieldPoint = () => {
      longest = Math.max(longest, performance.now() - syncStart);
    };
    const settings = this.deps.settings();
    if (!settings.enabled || settings.excludedLanguages.includes(document.languageId)) return undefined;
    const offset = document.offsetAt(position);
    const source = textSource(document);
    if (source.length > settings.maxFileLength) return undefined;
    const contextTokens = settings.contextTokens;
    const version = document.version;

    const region = settings.temperature === 1 ? this.regions.get(document.uri.toString())?.lookup(offset, settings.topK, contextTokens) : undefined;
    let hovered: TokenSpan | undefined | null = region?.token;
    let prediction: LastPrediction | undefined = region && predictionFromRegion(region, settings.topK);
    let unavailable: string | undefined;
    if (!region) {
      const window = hoverWindow(source, offset, contextTokens);
      if (!window) return undefined;
      yieldPoint();
      try {
        const answer = await this.predictInWindow(window, offset - window.start, settings, token);
        syncStart = performance.now();
        for (const [id, entry] of answer.entries ?? []) this.entries.set(id, entry);
        hovered = answer.token && shiftSpan(answer.token, window.start);
        prediction = answer.prediction;
      } catch (error) {
        if (error instanceof CancelledError || token.isCancellationRequested) return undefined;
        unavailable = error instanceof Error ? error.message : String(error);
        this.deps.log(`hover: no distribution at ${document.uri.fsPath}:${position.line + 1}:${position.character + 1}: ${unavailable}`);
        // Without the worker the token is still worth showing: tokenize here, for this hover only.
        syncStart = performance.now();
        hovered = hoverContext(source, offset, contextTokens, this.deps.tokenize)?.token;
      }
    }
    if (!hovered || hovered.start === hovered.end) return undefined;
    yieldPoint();
    const neighbours = prediction ? await this.neighboursOf(hovered.id, token).catch(() => undefined) : undefined;
    // An analysed region holds ids only: their texts come from the worker, once each.
    if (prediction) await this.learnEntries(prediction, token).catch(() => undefined);
    syncStart = performance.now();
    // The document changed while the model ran: this answer describes text that is gone.
    if (token.isCancellationRequested || document.version !== version) return undefined;
    const range = new vscode.Range(document.positionAt(hovered.start), document.positionAt(hovered.end));

    const args = encodeURIComponent(JSON.stringify([document.uri.toString(), hovered.start]));
    const markdown = new vscode.MarkdownString(
      renderHover(
        { token: hovered, prediction, neighbours, unavailable, tokenText: (id) => this.entries.get(id)?.text ?? `<${id}>`, openPanelLink: `command:${this.deps.openPanelCommand}?${args}` },
        vscode.l10n.t,
      ),
    );
    markdown.isTrusted = { enabledCommands: [this.deps.openPanelCommand] };
    markdown.supportHtml = false;
    yieldPoint();
    this.syncMs.push(longest);
    if (this.syncMs.length > RECENT_DURATIONS) this.syncMs.shift();
    return new vscode.Hover(markdown, range);
  }

  /** The worker's answer for the token at `offset` in `window`; the window's text and the settings determine it. */
  private async predictInWindow(window: HoverWindow, offset: number, settings: HoverSettings, token: vscode.CancellationToken): Promise<HoverAtResult> {
    const { contextTokens, topK, temperature } = settings;
    const key = `${contextTokens}|${topK}|${temperature}|${offset}|${window.text}`;
    const cached = this.predictions.get(key);
    if (cached) return cached;
    const answer = await this.deps.client.hoverAt({ text: window.text, offset }, { contextTokens, topK, temperature }, token);
    this.predictions.set(key, answer);
    return answer;
  }

  private async learnEntries(prediction: LastPrediction, token: vscode.CancellationToken): Promise<void> {
    const ids = prediction.next.top.map(([id]) => id);
    if (prediction.lastToken) ids.push(prediction.lastToken.id);
    const missing = ids.filter((id) => this.entries.get(id) === undefined);
    if (missing.length === 0 || token.isCancellationRequested) return;
    for (const [id, entry] of await this.deps.client.entries(missing)) this.entries.set(id, entry);
  }

  private async neighboursOf(id: number, token: vscode.CancellationToken): Promise<Neighbour[]> {
    const cached = this.neighbours.get(id);
    if (cached) return cached;
    const result = await this.deps.client.neighbours(id, NEIGHBOURS, token);
    this.neighbours.set(id, result);
    return result;
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.regions.clear();
    this.predictions.clear();
  }
}

function predictionFromRegion(hit: RegionHit, topK: number): LastPrediction {
  const { top, target, entropy } = hit.next;
  return {
    lastToken: hit.lastToken,
    next: { position: hit.contextTokens - 1, temperature: 1, top: top.slice(0, topK), target, entropy },
    timings: { totalMs: 0 },
  };
}

function textSource(document: vscode.TextDocument): { length: number; read(start: number, end: number): string } {
  const lastLine = document.lineAt(document.lineCount - 1);
  return {
    length: document.offsetAt(lastLine.range.end),
    read: (start, end) => document.getText(new vscode.Range(document.positionAt(start), document.positionAt(end))),
  };
}
