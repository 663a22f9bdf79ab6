// Paints explained tokens in the editor: boundaries as alternating subtle backgrounds, and the
// heat map (rank buckets or surprisal) on top, in theme colours from package.json. Keeps each
// document's tokens on their text while the user edits (token-tracking.ts) and forgets them
// when the text changes beyond repair, the tab closes, or the user clears them.
import * as vscode from 'vscode';
import { RANK_BUCKETS, SURPRISAL_BUCKETS, bucketColorId, heatBucket, surprisalBits, type HeatBucket } from '../heat-scale';
import type { HeatMapMode } from '../protocol';
import { trackChanges, type TokenScoreValue, type TrackedToken } from './token-tracking';

interface DocumentTokens {
  /** The run that produced them: late scores of an older run are ignored. */
  runId: number;
  tokens: TrackedToken[];
}

/** What the editor shows for one document, as document offsets (the test API reports this). */
export interface DecorationSnapshot {
  runId: number;
  boundaries: Array<[number, number]>;
  heat: Partial<Record<HeatBucket, Array<[number, number]>>>;
}

const BOUNDARY_COLORS = ['llmLens.tokenEvenBackground', 'llmLens.tokenOddBackground'] as const;

function heatKey(bucket: HeatBucket, parity: number): string {
  return `${bucket}:${parity}`;
}

// A 1px border in the editor's own background colour cuts a small gap between adjacent tokens,
// so boundaries stay visible where neighbours share a colour (the heat map's usual case).
const GAP = { border: '1px solid', borderColor: new vscode.ThemeColor('editor.background'), borderRadius: '3px' };

function createBoundaryType(colorId: string): vscode.TextEditorDecorationType {
  return vscode.window.createTextEditorDecorationType({
    ...GAP,
    backgroundColor: new vscode.ThemeColor(colorId),
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
}

function createHeatType(bucket: HeatBucket): vscode.TextEditorDecorationType {
  const color = new vscode.ThemeColor(bucketColorId(bucket));
  return vscode.window.createTextEditorDecorationType({
    ...GAP,
    backgroundColor: color,
    overviewRulerColor: bucket === 'rest' || bucket === 's4' ? color : undefined,
    overviewRulerLane: vscode.OverviewRulerLane.Center,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
}

function formatProbability(logprob: number): string {
  const p = Math.exp(logprob);
  if (p >= 0.001) return `${(p * 100).toFixed(p >= 0.1 ? 1 : 2)}%`;
  return p.toExponential(1);
}

function hoverFor(text: string, score: TokenScoreValue): vscode.MarkdownString {
  const shown = JSON.stringify(text).slice(1, -1);
  const markdown = new vscode.MarkdownString();
  markdown.appendMarkdown('**LLM Lens** · token ');
  markdown.appendCodeblock(shown || '(empty)', 'text');
  markdown.appendText(
    `p = ${formatProbability(score.logprob)} · rank ${score.rank.toLocaleString('en-US')} · ${surprisalBits(score.logprob).toFixed(2)} bits`,
  );
  return markdown;
}

export class TokenDecorations implements vscode.Disposable {
  private readonly documents = new Map<string, DocumentTokens>();
  private readonly boundaryTypes = BOUNDARY_COLORS.map(createBoundaryType);
  /**
   * One type per bucket and parity: VS Code merges adjacent ranges of one type into one box, so
   * neighbours of the same bucket need different types for their boundary to show.
   */
  private readonly heatTypes = new Map<string, vscode.TextEditorDecorationType>(
    [...RANK_BUCKETS, ...SURPRISAL_BUCKETS].flatMap((bucket) => [0, 1].map((parity) => [heatKey(bucket, parity), createHeatType(bucket)] as const)),
  );
  private readonly subscriptions: vscode.Disposable[];

  constructor(private heatMode: HeatMapMode) {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => this.onEdit(event)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((editor) => this.paint(editor))),
      vscode.window.tabGroups.onDidChangeTabs((event) => this.onTabsClosed(event.closed)),
      vscode.workspace.onDidCloseTextDocument((document) => this.clear(document.uri)),
    ];
  }

  /** Shows a new run's tokens (document offsets) in every editor of the document; scores come later. */
  show(document: vscode.TextDocument, runId: number, tokens: TrackedToken[]): void {
    this.documents.set(document.uri.toString(), { runId, tokens });
    this.paintDocument(document.uri);
  }

  /** Adds the model's scores to the tokens of run `runId`, by token index. */
  setScores(uri: vscode.Uri, runId: number, scores: ReadonlyMap<number, TokenScoreValue>): void {
    const state = this.documents.get(uri.toString());
    if (!state || state.runId !== runId) return;
    addScores(state, scores);
    this.paintDocument(uri);
  }

  /** setScores for whichever document shows run `runId` (none if a newer run replaced it). */
  setRunScores(runId: number, scores: ReadonlyMap<number, TokenScoreValue>): void {
    for (const [key, state] of this.documents) {
      if (state.runId !== runId) continue;
      addScores(state, scores);
      for (const editor of vscode.window.visibleTextEditors) if (editor.document.uri.toString() === key) this.paint(editor);
    }
  }

  setHeatMode(mode: HeatMapMode): void {
    this.heatMode = mode;
    for (const editor of vscode.window.visibleTextEditors) this.paint(editor);
  }

  /** Forgets one document's decorations, or every document's. */
  clear(uri?: vscode.Uri): void {
    if (uri) this.documents.delete(uri.toString());
    else this.documents.clear();
    for (const editor of vscode.window.visibleTextEditors) {
      if (!uri || editor.document.uri.toString() === uri.toString()) this.paint(editor);
    }
  }

  hasDecorations(uri: vscode.Uri): boolean {
    return this.documents.has(uri.toString());
  }

  snapshot(uri: vscode.Uri): DecorationSnapshot | undefined {
    const state = this.documents.get(uri.toString());
    if (!state) return undefined;
    const heat: DecorationSnapshot['heat'] = {};
    if (this.heatMode !== 'off') {
      for (const token of state.tokens) {
        if (!token.score || token.start === token.end) continue;
        (heat[heatBucket(this.heatMode, token.score)] ??= []).push([token.start, token.end]);
      }
    }
    return {
      runId: state.runId,
      boundaries: state.tokens.filter((t) => t.end > t.start).map((t) => [t.start, t.end]),
      heat,
    };
  }

  private onEdit(event: vscode.TextDocumentChangeEvent): void {
    const key = event.document.uri.toString();
    const state = this.documents.get(key);
    if (!state || event.contentChanges.length === 0) return;
    const tokens = trackChanges(
      state.tokens,
      event.contentChanges.map((change) => ({ offset: change.rangeOffset, length: change.rangeLength, text: change.text })),
    );
    if (tokens) state.tokens = tokens;
    else this.documents.delete(key);
    this.paintDocument(event.document.uri);
  }

  private onTabsClosed(closed: readonly vscode.Tab[]): void {
    const stillOpen = new Set(
      vscode.window.tabGroups.all.flatMap((group) => group.tabs).flatMap((tab) => (tab.input instanceof vscode.TabInputText ? [tab.input.uri.toString()] : [])),
    );
    for (const tab of closed) {
      if (tab.input instanceof vscode.TabInputText && !stillOpen.has(tab.input.uri.toString())) this.clear(tab.input.uri);
    }
  }

  private paintDocument(uri: vscode.Uri): void {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() === uri.toString()) this.paint(editor);
    }
  }

  /** Each token gets exactly one decoration: its heat colour when scored and the heat map is on, else its boundary tone. */
  private paint(editor: vscode.TextEditor): void {
    const state = this.documents.get(editor.document.uri.toString());
    const document = editor.document;
    const boundaries: vscode.DecorationOptions[][] = this.boundaryTypes.map(() => []);
    const heat = new Map<string, vscode.DecorationOptions[]>();
    const documentLength = document.getText().length;
    for (const token of state?.tokens ?? []) {
      if (token.end <= token.start || token.end > documentLength) continue;
      const range = new vscode.Range(document.positionAt(token.start), document.positionAt(token.end));
      const parity = token.index % 2;
      if (!token.score || this.heatMode === 'off') {
        boundaries[parity]!.push({ range });
        continue;
      }
      const key = heatKey(heatBucket(this.heatMode, token.score), parity);
      const options = { range, hoverMessage: hoverFor(document.getText(range), token.score) };
      const list = heat.get(key);
      if (list) list.push(options);
      else heat.set(key, [options]);
    }
    this.boundaryTypes.forEach((type, i) => editor.setDecorations(type, boundaries[i]!));
    for (const [key, type] of this.heatTypes) editor.setDecorations(type, heat.get(key) ?? []);
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const type of [...this.boundaryTypes, ...this.heatTypes.values()]) type.dispose();
    this.documents.clear();
  }
}

function addScores(state: DocumentTokens, scores: ReadonlyMap<number, TokenScoreValue>): void {
  state.tokens = state.tokens.map((token) => {
    const score = scores.get(token.index);
    return score ? { ...token, score } : token;
  });
}
