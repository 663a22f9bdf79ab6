// What the residual stream's length does for one token, layer by layer, said as it is: the
// layers after which it grows, those after which it shrinks, and where it is longest. No rule
// holds for every token (in the bundled model it shrinks after layer 5 at most positions), so
// the walk-through states the picked token's own numbers. Pure.
import type { Translate } from '../i18n';
import { sentences } from './format';

export interface NormTrend {
  /** Layers (1..L) after which the length is larger than before them. */
  grows: number[];
  /** Layers (1..L) after which it is smaller. */
  shrinks: number[];
  /** Where it is largest: 0 is the embedding, l the output of layer l. */
  longest: number;
}

/** `norms[0]` is the length after the embedding, `norms[l]` after layer l. */
export function normTrend(norms: readonly number[]): NormTrend {
  const grows: number[] = [];
  const shrinks: number[] = [];
  let longest = 0;
  for (let l = 1; l < norms.length; l++) {
    if (norms[l]! > norms[l - 1]!) grows.push(l);
    else if (norms[l]! < norms[l - 1]!) shrinks.push(l);
    if (norms[l]! > norms[longest]!) longest = l;
  }
  return { grows, shrinks, longest };
}

/** The sentences under the length bars, e.g. "… 0.80 → 10.57 → 13.44 …. It grows after layers 1–4 and 6. …". */
export function describeNorms(t: Translate, token: string, norms: readonly number[]): string {
  const layers = norms.length - 1;
  const { grows, shrinks, longest } = normTrend(norms);
  const named = (list: number[]) => (list.length === layers ? t('step5.everyLayer') : layerList(t, list));
  return sentences([
    t('step5.norms', { token, values: norms.map((n) => n.toFixed(2)).join(' → ') }),
    grows.length > 0 ? t('step5.normsGrows', { layers: named(grows) }) : '',
    shrinks.length > 0 ? t('step5.normsShrinks', { layers: named(shrinks) }) : '',
    t('step5.normsLongest', { where: longest === 0 ? t('step5.atEmbedding') : t('step5.afterLayer', { layer: longest }) }),
  ]);
}

/** "layer 5", "layers 1–4 and 6" (consecutive layers as a range). */
function layerList(t: Translate, list: number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < list.length; ) {
    let j = i;
    while (j + 1 < list.length && list[j + 1] === list[j]! + 1) j++;
    runs.push(j === i ? String(list[i]) : `${list[i]}–${list[j]}`);
    i = j + 1;
  }
  const joined = runs.length === 1 ? runs[0]! : `${runs.slice(0, -1).join(t('list.comma'))}${t('list.and')}${runs.at(-1)}`;
  return t(list.length === 1 ? 'step5.layerOne' : 'step5.layerMany', { layers: joined });
}
