// How one generation step chose its token, drawn: the candidates after the top-k and top-p cuts,
// renormalised into stretches of [0, 1) (the cumulative distribution), the random number u the
// seeded sampler drew, and the stretch it landed in. Greedy (temperature 0) draws no number.
import { el, svg } from '../dom';
import type { Translate } from '../i18n';
import { MAX_TEMPERATURE, type SamplingSettings } from '../../src/engine/sampling';
import type { GenerationStep } from './generate-session';
import { displayToken } from './token-display';
import type { TokenTextLookup } from '../token-texts';

const WIDTH = 560;
const BAR_Y = 18;
const BAR_HEIGHT = 26;
/** Candidates listed in the table (the cuts happen among the first few for most texts). */
const LISTED = 12;

const percent = (p: number) => `${(p * 100).toFixed(1)}%`;

/** Where the kept candidates' cumulative distribution puts each one: [from, to) in [0, 1). */
export function stretches(step: GenerationStep): { id: number; from: number; to: number }[] {
  let at = 0;
  return step.candidates
    .filter((c) => c.kept > 0)
    .map((c) => {
      const stretch = { id: c.id, from: at, to: at + c.kept };
      at += c.kept;
      return stretch;
    });
}

export function samplingFigure(step: GenerationStep, index: number, settings: SamplingSettings, texts: TokenTextLookup, t: Translate): HTMLElement {
  const text = (id: number) => displayToken(texts.text(id));
  const chosen = text(step.chosen);
  const list = step.candidates;
  const kept = list.filter((c) => c.kept > 0);
  const keptMass = kept.reduce((sum, c) => sum + c.probability, 0);
  const afterK = Math.min(settings.topK, list.length);
  const greedy = settings.temperature === 0;
  const parts: Element[] = [el('h3', { className: 'lens-subheading', text: t('sampling.heading', { n: index + 1, token: chosen }) })];

  if (step.picked) parts.push(el('p', { text: t('sampling.picked', { token: chosen }) }));
  else if (greedy) parts.push(el('p', { text: t('sampling.greedy', { token: chosen, p: percent(list[0]!.probability) }) }));
  else {
    parts.push(el('p', {
      className: 'sampling-cuts',
      // Top-p cut nothing when the top-k tokens hold less than p.
      text: t(kept.length === afterK && keptMass < settings.topP ? 'sampling.cutsTopK' : 'sampling.cuts', {
        candidates: list.length, temperature: settings.temperature.toFixed(2), topK: settings.topK, afterK, topP: percent(settings.topP), kept: kept.length, mass: percent(keptMass),
      }),
    }));
  }

  const segments = stretches(step);
  const bar = svg('svg', { class: 'sampling-bar', width: WIDTH, height: BAR_Y + BAR_HEIGHT + 18, viewBox: `0 0 ${WIDTH} ${BAR_Y + BAR_HEIGHT + 18}`, role: 'img', 'aria-label': t('sampling.barLabel') });
  for (const s of segments) {
    const x = s.from * WIDTH;
    const w = Math.max(0.5, (s.to - s.from) * WIDTH);
    const group = svg('g', { class: s.id === step.chosen ? 'sampling-stretch chosen' : 'sampling-stretch', 'data-id': s.id, 'data-from': s.from.toFixed(6), 'data-to': s.to.toFixed(6) });
    group.appendChild(svg('rect', { x: x.toFixed(2), y: BAR_Y, width: w.toFixed(2), height: BAR_HEIGHT }));
    if (w > 44) group.appendChild(svg('text', { x: (x + 4).toFixed(1), y: BAR_Y + 17 }, text(s.id).slice(0, Math.floor(w / 8))));
    group.appendChild(svg('title', {}, `${text(s.id)}: ${s.from.toFixed(3)}–${s.to.toFixed(3)}`));
    bar.appendChild(group);
  }
  for (const tick of [0, 0.5, 1]) bar.appendChild(svg('text', { class: 'sampling-tick', x: Math.min(WIDTH - 14, tick * WIDTH), y: BAR_Y + BAR_HEIGHT + 14 }, String(tick)));
  if (step.u !== null) {
    const x = step.u * WIDTH;
    bar.appendChild(svg('line', { class: 'sampling-u', x1: x.toFixed(2), x2: x.toFixed(2), y1: 2, y2: BAR_Y + BAR_HEIGHT + 4, 'data-u': step.u.toFixed(6) }));
    bar.appendChild(svg('text', { class: 'sampling-u-label', x: Math.min(WIDTH - 60, x + 4).toFixed(1), y: 12 }, `u = ${step.u.toFixed(3)}`));
  }
  parts.push(bar);

  const landed = segments.find((s) => s.id === step.chosen);
  if (step.u !== null && landed) {
    parts.push(el('p', { className: 'sampling-landed', text: t('sampling.landed', { u: step.u.toFixed(3), seed: settings.seed, token: chosen, from: landed.from.toFixed(3), to: landed.to.toFixed(3) }) }));
  }

  let cumulative = 0;
  const rows = list.slice(0, LISTED).map((c, rank) => {
    cumulative += c.probability;
    const fate = c.kept > 0 ? t('sampling.kept') : rank >= afterK ? t('sampling.cutK') : t('sampling.cutP');
    return el('tr', { className: c.id === step.chosen ? 'chosen' : '', attrs: { 'data-id': String(c.id), 'data-kept': String(c.kept) } }, [
      el('td', { text: String(rank + 1) }),
      el('td', { className: 'token-text', text: text(c.id) }),
      el('td', { text: percent(c.probability) }),
      el('td', { text: percent(cumulative) }),
      el('td', { text: c.kept > 0 ? percent(c.kept) : '—' }),
      el('td', { text: fate }),
    ]);
  });
  parts.push(el('table', { className: 'lens-table sampling-table' }, [
    el('thead', {}, [el('tr', {}, ['#', t('sampling.token'), t('sampling.p', { temperature: greedy ? '1.00' : settings.temperature.toFixed(2) }), t('sampling.cumulative'), t('sampling.renormalised'), ''].map((h) => el('th', { text: h })))]),
    el('tbody', {}, rows),
  ]));
  parts.push(el('p', { className: 'hint', text: t('sampling.cap', { max: MAX_TEMPERATURE }) }));
  return el('section', { className: 'sampling-figure', attrs: { 'data-for-step': String(index) } }, parts);
}
