// The walk-through's last section: where the loaded model's parameters are, by kind of matrix,
// each row a link to the step where that kind acts; and GPT-3's count beside it.
import { el } from '../dom';
import type { MessageKey, Translate } from '../i18n';
import type { ModelConfig } from '../../src/engine/types';
import { formatCount } from './format';
import { GPT3, parameterCensus, type MatrixKind } from './parameter-census';

/** The tensor names a kind is stored under, by family layout. */
const STORED: Record<'gpt2' | 'llama', Record<MatrixKind, string>> = {
  gpt2: {
    embedding: 'wte', position: 'wpe', query: 'attn.c_attn (⅓)', key: 'attn.c_attn (⅓)', value: 'attn.c_attn (⅓)',
    output: 'attn.c_proj', gate: '—', up: 'mlp.c_fc', down: 'mlp.c_proj', unembedding: 'wte (tied)',
  },
  llama: {
    embedding: 'embed_tokens', position: '—', query: 'q_proj', key: 'k_proj', value: 'v_proj',
    output: 'o_proj', gate: 'gate_proj', up: 'up_proj', down: 'down_proj', unembedding: 'lm_head',
  },
};

const KIND_TEXT: Record<MatrixKind, MessageKey> = {
  embedding: 'census.embedding',
  position: 'census.position',
  query: 'census.query',
  key: 'census.key',
  value: 'census.value',
  output: 'census.output',
  gate: 'census.gate',
  up: 'census.up',
  down: 'census.down',
  unembedding: 'census.unembedding',
};

const billions = (n: number) => (n / 1e9).toFixed(1);

export function censusSection(config: ModelConfig, t: Translate, onStep: (step: number) => void): HTMLElement {
  const census = parameterCensus(config);
  const stored = STORED[config.architecture.family === 'gpt2' ? 'gpt2' : 'llama'];
  const tied = config.architecture.tiedEmbeddings;
  const rows = census.rows.map((row) => {
    const name = el('button', { className: 'census-kind', text: t(KIND_TEXT[row.kind]), attrs: { type: 'button', title: t('census.goTo', { step: row.step }) } });
    name.addEventListener('click', () => onStep(row.step));
    const shape = `${formatCount(row.shape[0])} × ${formatCount(row.shape[1])}${row.count > 1 ? ` (× ${row.count})` : ''}`;
    const storedAs = row.kind === 'unembedding' && !tied ? 'lm_head' : row.kind === 'unembedding' && config.architecture.family !== 'gpt2' ? 'embed_tokens (tied)' : stored[row.kind];
    return el('tr', { attrs: { 'data-kind': row.kind, 'data-parameters': String(row.parameters), 'data-acts-in': String(row.step) } }, [
      el('td', {}, [name]),
      el('td', { className: 'token-text', text: storedAs }),
      el('td', { text: shape }),
      el('td', { text: row.parameters === 0 ? t('census.shared') : formatCount(row.parameters) }),
      el('td', { text: `${((row.parameters / census.total) * 100).toFixed(1)}%` }),
    ]);
  });
  rows.push(el('tr', { attrs: { 'data-kind': 'vectors', 'data-parameters': String(census.vectors) } }, [
    el('td', { text: t('census.vectors') }),
    el('td', { text: '' }),
    el('td', { text: '' }),
    el('td', { text: formatCount(census.vectors) }),
    el('td', { text: `${((census.vectors / census.total) * 100).toFixed(1)}%` }),
  ]));
  const gpt3 = parameterCensus(GPT3);
  return el('section', { className: 'pipeline-census', attrs: { 'data-total': String(census.total) } }, [
    el('h3', { className: 'lens-subheading', text: t('census.heading', { model: config.name, total: formatCount(census.total) }) }),
    el('p', { className: 'hint', text: t('census.intro') }),
    el('table', { className: 'lens-table census-table' }, [
      el('thead', {}, [el('tr', {}, [t('census.kind'), t('census.stored'), t('census.shape'), t('census.parameters'), t('census.share')].map((h) => el('th', { text: h })))]),
      el('tbody', {}, rows),
    ]),
    el('p', {
      className: 'census-gpt3',
      text: t('census.gpt3', {
        gpt3: billions(gpt3.total), gpt3Matrices: formatCount(gpt3.perHeadMatrices), matrices: formatCount(census.perHeadMatrices),
        total: formatCount(census.total), ratio: formatCount(Math.round(gpt3.total / census.total)),
      }),
    }),
  ]);
}
