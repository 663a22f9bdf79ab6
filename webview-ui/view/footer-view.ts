// Footer: which backend ran the model and why, the model's name, and timings.
import type { BackendInfo, Int8WeightsInfo, WeightError } from '../../src/engine/types';
import { clear, el } from '../dom';
import { formatCount, formatMs } from './format';
import { isolatedText } from '../../src/untrusted-text';
import { english, type Translate } from '../i18n';
import type { LoadTimings } from '../engine-rpc';

/** The load's parts in the order they happen, for the footer's tooltip and the benchmark. */
const LOAD_PARTS = ['fetchMs', 'tokenizerMs', 'runtimeMs', 'graphsMs', 'sessionsMs', 'firstRunMs'] as const;

/** "fetch 40 ms · tokenizer 0 ms · runtime start 1.2 s · …", in the panel's language. */
export function loadSplit(timings: LoadTimings, t: Translate = english): string {
  return LOAD_PARTS.map((part) => t(`footer.load.${part}`, { time: formatMs(timings[part]) })).join(' · ');
}

export interface FooterInfo {
  backend?: BackendInfo;
  model: string;
  loadMs?: number;
  /** The extension host's worker's own load time, when it holds the model (shared with the hover). */
  sharedLoadMs?: number;
  /** Where the load's time went (engine-rpc.ts's LoadTimings). */
  loadTimings?: LoadTimings;
  analyzeMs?: number;
  distributionMs?: number;
  /** 8-bit weights: their measured error against float32 on this text, while measuring, or why it could not be. */
  weightError?: WeightError | 'measuring' | { failed: string };
}

const gigabytes = (bytes: number) => `${(bytes / 1e9).toFixed(2)} GB`;
const nats = (value: number) => (value < 0.001 ? value.toExponential(1) : value.toFixed(3));

/** The 8-bit label's tooltip: why the weights are 8-bit, with the numbers. */
export function int8Reason(weights: Int8WeightsInfo, t: Translate = english): string {
  const numbers = { float32: gigabytes(weights.float32Bytes), held: gigabytes(weights.heldBytes), heap: gigabytes(weights.heapBytes) };
  return t(weights.why === 'tooBig' ? 'footer.int8.tooBig' : 'footer.int8.requested', numbers);
}

/** "vs float32 on this text: |Δ log p| ≤ 0.062 (mean 0.022), same top-1 at 36 of 36 positions". */
export function int8ErrorText(error: WeightError, t: Translate = english): { text: string; help: string } {
  const values = { max: nats(error.maxLogprobDiff), mean: nats(error.meanLogprobDiff), same: formatCount(error.sameTop1), positions: formatCount(error.positions) };
  return { text: t('footer.int8.error', values), help: t('footer.int8.errorHelp', values) };
}

export function backendLabel(backend: BackendInfo, t: Translate = english): string {
  if (backend.name === 'wasm' && backend.host) return (backend.threads ?? 1) === 1 ? t('footer.wasmHostOneThread') : t('footer.wasmHost', { count: backend.threads! });
  if (backend.name === 'wasm' && backend.threads) {
    return backend.threads === 1 ? t('footer.wasmOneThread') : t('footer.wasmThreads', { count: backend.threads });
  }
  return backend.name === 'webgpu' ? 'WebGPU' : backend.name === 'wasm' ? 'WASM' : 'native';
}

/** Why this backend, in the panel's language when the engine gave a code, else its English sentence. */
export function backendReason(backend: BackendInfo, t: Translate = english): string {
  const why = backend.why;
  if (!why) return backend.reason;
  return t(`backend.${why.code}`, { detail: why.detail ?? '', adapter: why.adapter ?? '', threads: backend.threads ?? 1 });
}

export class FooterView {
  readonly element = el('footer', { className: 'footer' });
  private t: Translate = english;

  /** Words the next render in the panel's language. */
  localize(t: Translate): void {
    this.t = t;
  }

  render(info: FooterInfo): void {
    const t = this.t;
    clear(this.element);
    const parts: HTMLElement[] = [];
    if (info.backend) {
      parts.push(el('span', { className: 'backend', attrs: { 'data-backend': info.backend.name, 'data-where': info.backend.host ? 'host' : 'panel', title: info.backend.adapter ?? '' } }, [
        el('strong', { text: backendLabel(info.backend, t) }),
        document.createTextNode(` — ${backendReason(info.backend, t)}`),
      ]));
    } else {
      parts.push(el('span', { className: 'backend', text: t('footer.noBackend') }));
    }
    // The name is a folder's: an override in it must not reorder the footer.
    parts.push(el('span', { text: t('footer.model', { name: isolatedText(info.model) }) }));
    if (info.loadMs !== undefined) {
      const timings = info.loadTimings;
      const attrs: Record<string, string> = { 'data-load-ms': String(Math.round(info.loadMs)) };
      if (timings) {
        const split = loadSplit(timings, t);
        attrs.title = info.sharedLoadMs === undefined ? split : `${t('footer.load.shared', { time: formatMs(info.sharedLoadMs) })}: ${split}`;
        if (info.sharedLoadMs !== undefined) attrs['data-shared-load-ms'] = String(Math.round(info.sharedLoadMs));
        for (const part of LOAD_PARTS) attrs[`data-${part.replace(/Ms$/, '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}-ms`] = String(Math.round(timings[part]));
      }
      parts.push(el('span', { className: 'load', text: t('footer.load', { time: formatMs(info.loadMs) }), attrs }));
    }
    const weights = info.backend?.weights;
    if (weights) parts.push(this.int8Part(weights, info.weightError));
    if (info.analyzeMs !== undefined) parts.push(el('span', { text: t('footer.analysis', { time: formatMs(info.analyzeMs) }) }));
    if (info.distributionMs !== undefined) parts.push(el('span', { text: t('footer.distribution', { time: formatMs(info.distributionMs) }) }));
    parts.forEach((part, i) => {
      if (i > 0) this.element.appendChild(el('span', { className: 'sep', text: '·', attrs: { 'aria-hidden': 'true' } }));
      this.element.appendChild(part);
    });
  }

  private int8Part(weights: Int8WeightsInfo, error: FooterInfo['weightError']): HTMLElement {
    const t = this.t;
    const children: Node[] = [el('strong', { text: t('footer.int8'), attrs: { title: int8Reason(weights, t) } })];
    const attrs: Record<string, string> = { 'data-weights': 'int8' };
    if (error === 'measuring') {
      children.push(document.createTextNode(` — ${t('footer.int8.measuring')}`));
    } else if (error && 'failed' in error) {
      children.push(document.createTextNode(` — ${t('footer.int8.failed', { message: error.failed })}`));
    } else if (error) {
      const { text, help } = int8ErrorText(error, t);
      children.push(el('span', { text: ` — ${text}`, attrs: { title: help } }));
      attrs['data-max-logprob-diff'] = String(error.maxLogprobDiff);
    }
    return el('span', { className: 'weights', attrs }, children);
  }
}
