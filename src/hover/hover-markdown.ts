// Renders a hover as Markdown text. Pure (no `vscode`), so escaping is unit-tested: every
// token text is untrusted (it comes from the document or the vocabulary) and must show as text.
// The words come through `localize` (the provider passes vscode.l10n.t; English by default).
import type { LastPrediction, Neighbour, TokenSpan } from '../engine/types';
import { english, type Localize } from '../localize';
import { markdownText } from '../untrusted-text';

export interface HoverModel {
  token: TokenSpan;
  /** Present when the model ran. */
  prediction?: LastPrediction;
  neighbours?: Neighbour[];
  /** Why there is no distribution (engine failed, disabled, ...), shown instead of it. */
  unavailable?: string;
  /** Display text of a vocabulary id. */
  tokenText: (id: number) => string;
  /** Command link that opens the panel at the token; trusted by the provider, nothing else is. */
  openPanelLink?: string;
}

const BAR_WIDTH = 16;

export function renderHover(model: HoverModel, localize: Localize = english): string {
  const { token, prediction } = model;
  const bits = (nats: number) => formatBits(nats, localize);
  const lines: string[] = [];
  lines.push(`**LLM Lens** · ${localize('token **{0}** · id {1}', visibleToken(token.text), token.id)}${bytesNote(token, localize)}`);
  if (prediction?.lastToken) {
    // Scored at temperature 1 (predictLast does so whatever the setting): the model's own numbers.
    const { logprob, rank } = prediction.lastToken;
    lines.push('', localize('Given what precedes it: p = {0} · rank {1} · surprisal {2}', formatProbability(Math.exp(logprob)), rank, bits(-logprob)));
  } else if (prediction) {
    lines.push('', localize('First token of the context: nothing precedes it to predict it from.'));
  }
  if (prediction) {
    const next = prediction.next;
    lines.push('', localize('Next token (temperature {0}, entropy {1}):', next.temperature, bits(next.entropy)));
    if (next.temperature !== 1) {
      lines.push('', localize('At temperature {0} the list below is softmax(logits / {0}), not the model’s own distribution; p and surprisal above are the model’s own (temperature 1).', next.temperature));
    }
    lines.push(
      '',
      `| # | ${localize('next token')} | p | |`,
      '|--:|:--|--:|:--|',
      ...next.top.map(([id, logprob], i) => tableRow(i + 1, model.tokenText(id), logprob)),
    );
  } else {
    lines.push('', localize('No next-token distribution: {0}', markdownText(model.unavailable ?? localize('the model has not run'))));
  }
  if (model.neighbours && model.neighbours.length > 1) {
    const others = model.neighbours.filter(([id]) => id !== token.id).slice(0, 5);
    lines.push('', localize('Nearest embeddings: {0}', others.map(([, text, cos]) => `${visibleToken(text)} ${cos.toFixed(2)}`).join(' · ')));
  }
  if (model.openPanelLink) lines.push('', `[${markdownText(localize('Open in the LLM Lens panel'))}](${model.openPanelLink})`);
  return lines.join('\n');
}

function tableRow(rank: number, text: string, logprob: number): string {
  const p = Math.exp(logprob);
  const bar = '█'.repeat(Math.max(p > 0.005 ? 1 : 0, Math.round(p * BAR_WIDTH)));
  return `| ${rank} | ${visibleToken(text)} | ${formatProbability(p)} | ${bar} |`;
}

function bytesNote(token: TokenSpan, localize: Localize): string {
  if (!token.partial) return '';
  const pairs = token.bytes.match(/../g) ?? [];
  return ` · ${localize('bytes {0} (part of a character)', pairs.join(' '))}`;
}

/** Whitespace made visible, then escaped: "·" space, "→" tab, "↵" newline, "␍" carriage return. */
export function visibleToken(text: string): string {
  const shown = text.replace(/ /g, '·').replace(/\t/g, '→').replace(/\r/g, '␍').replace(/\n/g, '↵');
  return markdownText(shown === '' ? '∅' : shown);
}


export function formatProbability(p: number): string {
  if (p >= 0.001) return `${(p * 100).toFixed(p >= 0.1 ? 1 : 2)}%`;
  if (p <= 0) return '0%';
  return `${(p * 100).toPrecision(2)}%`;
}

export function formatBits(nats: number, localize: Localize = english): string {
  return localize('{0} bits', (nats / Math.LN2).toFixed(2));
}
