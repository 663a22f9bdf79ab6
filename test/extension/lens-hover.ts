// The LLM Lens hover at a position, as VS Code would show it: the Markdown of the hover whose
// text carries the extension's heading, or undefined when the extension gave none.
import * as vscode from 'vscode';

export async function lensHover(uri: vscode.Uri, position: vscode.Position): Promise<string | undefined> {
  const hovers = (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  for (const hover of hovers) {
    for (const part of hover.contents) {
      const value = typeof part === 'string' ? part : 'value' in part ? part.value : '';
      if (value.includes('**LLM Lens**')) return value;
    }
  }
  return undefined;
}

/** A probability as the hover writes it: "12.34%", "0.0123%" or "8.8e-8%". */
const PROBABILITY = String.raw`[\d.]+(?:e[+-]?\d+)?%`;

/** The hover table's rows: [token as shown, probability as shown]. */
export function tableRows(markdown: string): [string, string][] {
  return [...markdown.matchAll(new RegExp(String.raw`^\| (\d+) \| (.*) \| (${PROBABILITY}) \| █* \|$`, 'gm'))].map((m) => [m[2]!, m[3]!]);
}

/** How likely the hovered token was given what precedes it, as shown ("p = …"), and its rank. */
export function hoveredTokenScore(markdown: string): { p: string; rank: number } | undefined {
  const match = new RegExp(String.raw`p = (${PROBABILITY}) · rank (\d+)`).exec(markdown);
  return match ? { p: match[1]!, rank: Number(match[2]) } : undefined;
}

/** Log-probabilities agree with a reference within this (the project's tolerance). */
export const LOGPROB_TOLERANCE = 2e-3;

/** True when `shown` (a percentage the hover rounded) is probability `p` within rounding and the tolerance. */
export function showsProbability(shown: string, p: number): boolean {
  const rounding = p >= 0.1 ? 5e-4 : p >= 0.001 ? 5e-5 : 0.05 * 10 ** Math.floor(Math.log10(p));
  return Math.abs(parseFloat(shown) / 100 - p) <= rounding + p * Math.expm1(LOGPROB_TOLERANCE);
}
