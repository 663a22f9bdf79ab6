// Renders a hover as Markdown text. Pure (no `vscode`), so escaping is unit-tested: every
// token text is untrusted (it comes from the document or the vocabulary) and must show as text.
import type { LastPrediction, Neighbour, TokenSpan } from '../engine/types';

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

export function renderHover(model: HoverModel): string {
  const { token, prediction } = model;
  const lines: string[] = [];
  lines.push(`**LLM Lens** · token **${visibleToken(token.text)}** · id ${token.id}${bytesNote(token)}`);
  if (prediction?.lastToken) {
    const { logprob, rank } = prediction.lastToken;
    lines.push('', `Given what precedes it: p = ${formatProbability(Math.exp(logprob))} · rank ${rank} · surprisal ${formatBits(-logprob)}`);
  } else if (prediction) {
    lines.push('', 'First token of the context: nothing precedes it to predict it from.');
  }
  if (prediction) {
    const next = prediction.next;
    lines.push(
      '',
      `Next token (temperature ${next.temperature}, entropy ${formatBits(next.entropy)}):`,
      '',
      '| # | next token | p | |',
      '|--:|:--|--:|:--|',
      ...next.top.map(([id, logprob], i) => tableRow(i + 1, model.tokenText(id), logprob)),
    );
  } else {
    lines.push('', `No next-token distribution: ${escapeMarkdown(model.unavailable ?? 'the model has not run')}`);
  }
  if (model.neighbours && model.neighbours.length > 1) {
    const others = model.neighbours.filter(([id]) => id !== token.id).slice(0, 5);
    lines.push('', `Nearest embeddings: ${others.map(([, text, cos]) => `${visibleToken(text)} ${cos.toFixed(2)}`).join(' · ')}`);
  }
  if (model.openPanelLink) lines.push('', `[Open in the LLM Lens panel](${model.openPanelLink})`);
  return lines.join('\n');
}

function tableRow(rank: number, text: string, logprob: number): string {
  const p = Math.exp(logprob);
  const bar = '█'.repeat(Math.max(p > 0.005 ? 1 : 0, Math.round(p * BAR_WIDTH)));
  return `| ${rank} | ${visibleToken(text)} | ${formatProbability(p)} | ${bar} |`;
}

function bytesNote(token: TokenSpan): string {
  if (!token.partial) return '';
  const pairs = token.bytes.match(/../g) ?? [];
  return ` · bytes ${pairs.join(' ')} (part of a character)`;
}

/** Whitespace made visible, then escaped: "·" space, "→" tab, "↵" newline, "␍" carriage return. */
export function visibleToken(text: string): string {
  const shown = text.replace(/ /g, '·').replace(/\t/g, '→').replace(/\r/g, '␍').replace(/\n/g, '↵');
  return escapeMarkdown(shown === '' ? '∅' : shown);
}

/** Escapes every character Markdown or HTML could act on; the result renders as the literal text. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|~:]/g, (c) => `\\${c}`).replace(/[<>&]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function formatProbability(p: number): string {
  if (p >= 0.001) return `${(p * 100).toFixed(p >= 0.1 ? 1 : 2)}%`;
  if (p <= 0) return '0%';
  return `${(p * 100).toPrecision(2)}%`;
}

export function formatBits(nats: number): string {
  return `${(nats / Math.LN2).toFixed(2)} bits`;
}
