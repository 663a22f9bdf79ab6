// LLM Lens extension entry: wires the Explain Tokens command, the editor decorations, the panel,
// the status bar count and the settings together. Everything is owned by `activate`'s
// subscriptions; there is no module-level state.
import * as vscode from 'vscode';
import { ExplainTokensCommand, type ExplainOutcome } from './commands/explain-tokens';
import { SECTION, effectiveHeatMode, readSettings, setHeatMapEnabled, viewSettings } from './config';
import { TokenDecorations, type DecorationSnapshot } from './decorations/token-decorations';
import { PanelHost } from './panel/panel-host';
import { GeneratedTextInserter } from './generation/insert-text';
import { TokenCountStatus } from './status-bar';
import { explainAt } from './hover/explain-at';
import { openSample } from './commands/open-sample';
import { Reporter, errorText } from './log';
import { registerHover, type HoverStats } from './hover/register-hover';
import { AttentionFeature } from './attention/attention-feature';
import { modelShape } from './attention/model-shape';
import type { AttentionSnapshot } from './attention/attention-decorations';
import { startModelWorker } from './model-worker/model-worker';
import { ModelChoiceFeature } from './model-choice/model-choice';

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
  /** The attention row "Show Attention From Here" (or a click in the panel) shades in a document (document offsets). */
  attentionDecorations(uri: vscode.Uri): AttentionSnapshot | undefined;
  /** The model status bar item's text and tooltip, once it shows the model in use now. */
  modelStatus(): Promise<{ text: string; tooltip: string }>;
}

export function activate(context: vscode.ExtensionContext): LensApi {
  const reporter = new Reporter();
  const settings = readSettings();
  const decorations = new TokenDecorations(effectiveHeatMode(settings));
  // Rows come from the panel, so its model is the one to check them against (panels is created below).
  const attention = new AttentionFeature(() => modelShape(panels.current?.model), reporter);
  // Generated text goes after the explained range of the latest run (explain is created below;
  // the callbacks only run later).
  const inserter = new GeneratedTextInserter(() => explain.lastOutcome());
  // One worker reads the model for the hover, Explain Tokens' tokens and the status bar's count, and
  // runs the panel's model where the panel has no hardware WebGPU.
  const { client: worker, select: selectModel } = startModelWorker(context.extensionUri, (message) => reporter.info(message));
  const panels = new PanelHost(context.extensionUri, reporter, (message) => attention.receive(message), (message) =>
    void inserter.insert(message).then(({ warning, info }) => {
      if (warning) reporter.notice(warning);
      if (info) reporter.inform(info);
    }),
    (message) => decorations.setRunScores(message.runId, new Map(message.scores.map((s) => [s.index, { logprob: s.logprob, rank: s.rank }]))),
    worker,
  );
  const status = new TokenCountStatus(settings.countEncoding, worker, (message) => reporter.warn(message));
  const modelChoice = new ModelChoiceFeature({ reporter, secrets: context.secrets, select: selectModel });
  const hover = registerHover(worker, (message) => reporter.info(message), modelChoice.onDidChangeModel);
  const explain = new ExplainTokensCommand({
    extensionUri: context.extensionUri,
    reporter,
    worker,
    selectModel,
    decorations,
    panels,
    onAnalysed: (uri, region) => hover.provider.regionsOf(uri).add(region),
    onShown: (document, start, message) => attention.runShown(document, start, message),
  });

  context.subscriptions.push(
    reporter,
    modelChoice,
    decorations,
    panels,
    inserter,
    status,
    hover,
    { dispose: () => void worker.dispose() },
    attention,
    attention.registerCommand({ panels, explain: () => explain.run(), lastExplainOutcome: () => explain.lastOutcome() }),
    vscode.commands.registerCommand('llmLens.explainTokens', () => explain.run()),
    vscode.commands.registerCommand('llmLens.explainAt', (uri: unknown, offset: unknown) => explainAt(uri, offset, () => explain.run(), (m) => reporter.warn(m))),
    vscode.commands.registerCommand('llmLens.toggleHeatMap', async () => {
      const enabled = !readSettings().heatMapEnabled;
      await setHeatMapEnabled(enabled);
      vscode.window.setStatusBarMessage(enabled ? vscode.l10n.t('LLM Lens: heat map on') : vscode.l10n.t('LLM Lens: heat map off'), 3000);
    }),
    vscode.commands.registerCommand('llmLens.clearDecorations', () => {
      decorations.clear();
      attention.clear();
    }),
    vscode.commands.registerCommand('llmLens.showOutput', () => reporter.show()),
    vscode.commands.registerCommand('llmLens.openSample', () =>
      openSample(context.extensionUri).catch((error) => reporter.error(vscode.l10n.t('Could not open the sample: {0}', errorText(error)))),
    ),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (!event.affectsConfiguration(SECTION)) return;
      const next = readSettings();
      status.setEncoding(next.countEncoding);
      decorations.setHeatMode(effectiveHeatMode(next));
      panels.current?.updateBackend(next.backend, next.weights);
      panels.current?.updateSettings(viewSettings(next));
    }),
  );
  reporter.info(`LLM Lens ${String(context.extension.packageJSON.version)} activated`);

  return {
    lastExplainOutcome: () => explain.lastOutcome(),
    decorations: (uri) => decorations.snapshot(uri),
    hoverStats: () => hover.stats(),
    attentionDecorations: (uri) => attention.snapshot(uri),
    modelStatus: async () => {
      await modelChoice.refresh();
      return modelChoice.statusItem();
    },
    statusBarCount: async () => {
      await status.refresh();
      return status.current();
    },
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
