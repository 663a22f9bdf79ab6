// The names of the model's calls (ModelCalls in model-calls.ts), apart from their implementation:
// the protocol checks a call's name on receipt in the webview too, whose bundle must not carry the
// engine (its inspector, chat templates and GPT-2's rank table) to do so.
import type { ModelCalls } from './model-calls';

export type ModelMethod = keyof ModelCalls;

export const MODEL_METHODS: readonly ModelMethod[] = [
  'analyze',
  'distributionAt',
  'logitLens',
  'neighboursOfToken',
  'neighboursOfVector',
  'tokenEmbeddings',
  'attentionLayer',
  'pipeline',
  'decode',
  'chat',
  'weightError',
];
