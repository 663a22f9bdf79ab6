// Paints one attention row in the editor: the tokens before the query shaded in
// ATTENTION_BUCKETS theme colours (package.json `llmLens.attention1Background`…`5`), the query
// token outlined. One row at a time; it follows edits before it and disappears when an edit
// touches the shaded text, the document closes, or the user clears it.
import * as vscode from 'vscode';
import { ATTENTION_BUCKETS, formatPercent, headLabel, type AttentionShading } from './attention-shading';
import { followEdits } from './explained-run';

/** What the editor shows (document offsets), for the test API. */
export interface AttentionSnapshot {
  queryIndex: number;
  layer: number;
  head: number | 'average';
  query: { start: number; end: number };
  ranges: Array<{ start: number; end: number; weight: number; bucket: number }>;
  summary: string;
}

interface Shown {
  uri: string;
  shading: AttentionShading;
}

export function attentionColorId(bucket: number): string {
  return `llmLens.attention${bucket + 1}Background`;
}

export class AttentionDecorations implements vscode.Disposable {
  private shown: Shown | undefined;
  private readonly bucketTypes = Array.from({ length: ATTENTION_BUCKETS }, (_, bucket) =>
    vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor(attentionColorId(bucket)),
      borderRadius: '3px',
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    }),
  );
  private readonly queryType = vscode.window.createTextEditorDecorationType({
    border: '2px solid',
    borderColor: new vscode.ThemeColor('llmLens.attentionQueryBorder'),
    borderRadius: '3px',
    overviewRulerColor: new vscode.ThemeColor('llmLens.attentionQueryBorder'),
    overviewRulerLane: vscode.OverviewRulerLane.Left,
    rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
  });
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.onDidChangeTextDocument((event) => this.onEdit(event)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((editor) => this.paint(editor))),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.toString() === this.shown?.uri) this.clear();
      }),
    ];
  }

  show(uri: vscode.Uri, shading: AttentionShading): void {
    const previous = this.shown?.uri;
    this.shown = { uri: uri.toString(), shading };
    if (previous && previous !== this.shown.uri) this.paintDocument(previous);
    this.paintDocument(this.shown.uri);
  }

  clear(): void {
    const previous = this.shown?.uri;
    this.shown = undefined;
    if (previous) this.paintDocument(previous);
  }

  snapshot(uri: vscode.Uri): AttentionSnapshot | undefined {
    if (this.shown?.uri !== uri.toString()) return undefined;
    const { queryIndex, layer, head, query, ranges, summary } = this.shown.shading;
    return { queryIndex, layer, head, query: { start: query.start, end: query.end }, ranges: ranges.map((r) => ({ ...r })), summary };
  }

  private onEdit(event: vscode.TextDocumentChangeEvent): void {
    const shown = this.shown;
    if (!shown || event.document.uri.toString() !== shown.uri || event.contentChanges.length === 0) return;
    const { shading } = shown;
    const spans = [shading.query, ...shading.ranges];
    const moved = followEdits(
      spans,
      event.contentChanges.map((change) => ({ offset: change.rangeOffset, length: change.rangeLength, text: change.text })),
    );
    if (!moved) {
      this.clear();
      return;
    }
    const [query, ...ranges] = moved;
    this.shown = { uri: shown.uri, shading: { ...shading, query: query as AttentionShading['query'], ranges: ranges as AttentionShading['ranges'] } };
    this.paintDocument(shown.uri);
  }

  private paintDocument(uri: string): void {
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.toString() === uri) this.paint(editor);
    }
  }

  private paint(editor: vscode.TextEditor): void {
    const document = editor.document;
    const shading = this.shown?.uri === document.uri.toString() ? this.shown.shading : undefined;
    const perBucket: vscode.DecorationOptions[][] = this.bucketTypes.map(() => []);
    const length = document.getText().length;
    const label = shading ? headLabel(shading.layer, shading.head) : '';
    for (const range of shading?.ranges ?? []) {
      if (range.end > length) continue;
      perBucket[range.bucket]!.push({
        range: new vscode.Range(document.positionAt(range.start), document.positionAt(range.end)),
        hoverMessage: `LLM Lens · attention (${label}) from the outlined token: ${formatPercent(range.weight)}`,
      });
    }
    this.bucketTypes.forEach((type, bucket) => editor.setDecorations(type, perBucket[bucket]!));
    const query = shading && shading.query.end <= length ? shading.query : undefined;
    editor.setDecorations(
      this.queryType,
      query ? [{ range: new vscode.Range(document.positionAt(query.start), document.positionAt(query.end)), hoverMessage: shading!.summary }] : [],
    );
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const type of [...this.bucketTypes, this.queryType]) type.dispose();
    this.shown = undefined;
  }
}
