// Number formatting for the panel. Pure, so the UI test can format the engine's numbers the
// same way and compare them with what the panel shows.
import { english, type Translate } from '../i18n';

/** A probability (0..1) as a percentage with three significant digits: "45.2%", "3.47%", "0.0123%". */
export function formatPercent(p: number): string {
  if (!Number.isFinite(p) || p <= 0) return '0%';
  const percent = p * 100;
  if (percent >= 99.95) return percent >= 100 ? '100%' : '99.9%';
  if (percent < 0.0001) return '< 0.0001%';
  return `${percent.toPrecision(3)}%`;
}

/** Parses formatPercent's output back to a probability (for tests); NaN for the "<" form. */
export function parsePercent(text: string): number {
  const match = /^(\d+(?:\.\d+)?)%$/.exec(text.trim());
  return match ? Number(match[1]) / 100 : Number.NaN;
}

/** The smallest difference formatPercent can show for p, as a probability (half a unit in the last digit). */
export function percentResolution(p: number): number {
  const percent = p * 100;
  if (percent >= 99.95 || percent <= 0) return 0.0005;
  const exponent = Math.floor(Math.log10(percent)) - 2;
  return (0.5 * 10 ** exponent) / 100;
}

/** Bits with two decimals; `t` words the unit (English when not given). */
export function formatBits(bits: number, t: Translate = english): string {
  return t('unit.bits', { value: bits.toFixed(2) });
}

export function formatMs(ms: number): string {
  if (ms < 1) return '< 1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatMegabytes(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

export function formatTemperature(t: number): string {
  return t.toFixed(2);
}

/** Sentences as one paragraph: English ones separated by a space, Chinese ones (ending in "。") not. */
export function sentences(parts: readonly string[]): string {
  return parts.filter(Boolean).reduce((text, next) => (/[.!?]$/.test(text) ? `${text} ${next}` : text + next), '');
}

/** Characters per token with two decimals; "—" when there are no tokens. */
export function formatRatio(numerator: number, denominator: number): string {
  return denominator > 0 ? (numerator / denominator).toFixed(2) : '—';
}
