// LLM Lens extension entry: wires the Explain Tokens command, the editor decorations, the panel,
// the status bar count and the settings together. Everything is owned by `activate`'s
// subscriptions; there is no module-level state.
import * as vscode from 'vscode';
import { ExplainTokensCommand, type ExplainOutcome } from './commands/explain-tokens';
import { SECTION, effectiveHeatMode, readSettings, setHeatMapEnabled, viewSettings } from './config';
import { TokenDecorations, type DecorationSnapshot } from './decorations/token-decorations';
import { Reporter } from './log';
import { PanelHost } from './panel/panel-host';
import { TokenCountStatus } from './status-bar';
import { explainAt } from './hover/explain-at';
import { registerHover, type HoverStats } from './hover/register-hover';

/**
 * What `activate` returns (vscode.extensions.getExtension('llm-lens.llm-lens').exports). Small
 * on purpose: tests read the outcome of the last run and what the editor paints, since neither
 * is observable through the VS Code API.
 */
export interface LensApi {
  /** The last Explain Tokens run that finished (done, failed, nothing to do, or panel closed). */
  lastExplainOutcome(): ExplainOutcome | undefined;
  /** Token boundaries and heat-map ranges (document offsets) painted for a document. */
  decorations(uri: vscode.Uri): DecorationSnapshot | undefined;
  /** The status bar's count once pending updates are done. */
  statusBarCount(): Promise<{ count: number; scope: 'selection' | 'document'; encoding: string } | undefined>;
  /** What the hover holds: the soak test checks that nothing grows without bound. */
  hoverStats(): HoverStats;
}

export function activate(context: vscode.ExtensionContext): LensApi {
  const reporter = new Reporter();
  const settings = readSettings();
  const decorations = new TokenDecorations(effectiveHeatMode(settings));
  const panels = new PanelHost(context.extensionUri, reporter);
  const status = new TokenCountStatus(settings.countEncoding, (message) => reporter.warn(message));
  const hover = registerHover(context.extensionUri, (message) => reporter.info(message));
  const explain = new ExplainTokensCommand({
    extensionUri: context.extensionUri,
    reporter,
    decorations,
    panels,
    onAnalysed: (uri, region) => hover.provider.regionsOf(uri).add(region),
  });

  context.subscriptions.push(
    reporter,
    decorations,
    panels,
    status,
    hover,
    vscode.commands.registerCommand('llmLens.explainTokens', () => explain.run()),
    vscode.commands.registerCommand('llmLens.explainAt', (uri: unknown, offset: unknown) => explainAt(uri, offset, () => explain.run(), (m) => reporter.warn(m))),
    vscode.commands.registerCommand('llmLens.toggleHeatMap', async () => {
      const enabled = !readSettings().heatMapEnabled;
      await setHeatMapEnabled(enabled);
      vscode.window.setStatusBarMessage(`LLM Lens: heat map ${enabled ? 'on' : 'off'}`, 3000);
    }),
    vscode.commands.registerCommand('llmLens.clearDecorations', () => decorations.clear()),
    vscode.commands.registerCommand('llmLens.showOutput', () => reporter.show()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) return;
      const next = readSettings();
      status.setEncoding(next.countEncoding);
      decorations.setHeatMode(effectiveHeatMode(next));
      panels.current?.updateBackend(next.backend);
      panels.current?.updateSettings(viewSettings(next));
    }),
  );
  reporter.info(`LLM Lens ${String(context.extension.packageJSON.version)} activated`);

  return {
    lastExplainOutcome: () => explain.lastOutcome(),
    decorations: (uri) => decorations.snapshot(uri),
    hoverStats: () => hover.stats(),
    statusBarCount: async () => {
      await status.refresh();
      return status.current();
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
