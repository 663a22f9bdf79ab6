// Short explanations of the technical terms the panel shows (wte, layer norm, top-k, head view,
// …), in the panel's language, as the tooltip of the word itself: a beginner can point at a word
// instead of looking it up. The explanation is an attribute and the word a text node, never markup.
import { el } from '../dom';
import type { MessageKey, Translate } from '../i18n';

export type Term =
  | 'wte' | 'wpe' | 'layerNorm' | 'unembedding'
  | 'embedTokens' | 'rmsNorm' | 'rope' | 'gqa' | 'gate' | 'unembeddingRows'
  | 'topK' | 'topP' | 'seed' | 'headView' | 'modelView' | 'gltr' | 'pca' | 'r50k' | 'cl100k' | 'o200k';

export const EXPLANATIONS: Readonly<Record<Term, MessageKey>> = {
  wte: 'glossary.wte',
  wpe: 'glossary.wpe',
  layerNorm: 'glossary.layerNorm',
  unembedding: 'glossary.unembedding',
  embedTokens: 'glossary.embedTokens',
  rmsNorm: 'glossary.rmsNorm',
  rope: 'glossary.rope',
  gqa: 'glossary.gqa',
  gate: 'glossary.gate',
  unembeddingRows: 'glossary.unembeddingRows',
  topK: 'glossary.topK',
  topP: 'glossary.topP',
  seed: 'glossary.seed',
  headView: 'glossary.headView',
  modelView: 'glossary.modelView',
  gltr: 'glossary.gltr',
  pca: 'glossary.pca',
  r50k: 'summary.r50kHelp',
  cl100k: 'summary.cl100kHelp',
  o200k: 'summary.o200kHelp',
};

/** How a term is written inside a sentence: the English word (the Chinese text names it too) or the Chinese one. */
const WORDS: Partial<Record<Term, readonly string[]>> = {
  wte: ['wte'],
  wpe: ['wpe'],
  layerNorm: ['layer norm', '层归一化'],
  unembedding: ['unembedding', '反嵌入'],
  embedTokens: ['embed_tokens'],
  rmsNorm: ['RMSNorm'],
  rope: ['RoPE'],
  gqa: ['GQA', 'multi-query attention'],
  gate: ['SwiGLU'],
  // GPT-2 reads its unembedding from wte; the rotary families from embed_tokens or lm_head.
  unembeddingRows: ['unembedding', '反嵌入'],
  gltr: ['GLTR'],
  pca: ['principal components', '主成分', 'PCA'],
};

/** Gives `element` the explanation of `term` as its tooltip. */
export function explain<E extends HTMLElement>(element: E, term: Term, t: Translate): E {
  element.title = t(EXPLANATIONS[term]);
  element.setAttribute('data-term', term);
  element.classList.add('term');
  return element;
}

/** `text` as nodes, the first mention of each of `terms` in it wrapped in an explained span. */
export function withTerms(text: string, terms: readonly Term[], t: Translate): Node[] {
  const found: { start: number; end: number; term: Term }[] = [];
  for (const term of terms) {
    let first: { start: number; end: number } | undefined;
    for (const word of WORDS[term] ?? []) {
      const start = text.indexOf(word);
      if (start >= 0 && (!first || start < first.start)) first = { start, end: start + word.length };
    }
    if (first) found.push({ ...first, term });
  }
  found.sort((a, b) => a.start - b.start);
  const nodes: Node[] = [];
  let at = 0;
  for (const { start, end, term } of found) {
    if (start < at) continue; // overlaps a term already marked
    if (start > at) nodes.push(document.createTextNode(text.slice(at, start)));
    nodes.push(explain(el('span', { text: text.slice(start, end) }), term, t));
    at = end;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}
