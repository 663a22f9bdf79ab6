// How a chat model reads a conversation: its chat template (tokenizer_config.json, Jinja) turns
// the messages into one text with marker tokens, and the model predicts the assistant's answer
// as the continuation of that text. Rendered with @huggingface/jinja, tokenized as transformers'
// apply_chat_template does (special tokens recognised), with one deliberate difference: text that
// came from a message is always read as text, so a message holding "<|im_end|>" cannot end its
// turn early. Runtime-agnostic and pure.
import { Template } from '@huggingface/jinja';
import type { Tokenizer } from './tokenizer-interface';
import type { TokenSpan } from './types';

export type ChatRole = 'system' | 'user';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface ChatTemplate {
  template: string;
  bosToken?: string;
  eosToken?: string;
}

/** Where a token's text came from: the template's own text and markers, or a message. */
export type ChatSource = 'template' | ChatRole;

export interface ChatToken extends TokenSpan {
  source: ChatSource;
}

export interface ChatReading {
  /** The conversation as the model reads it. */
  text: string;
  tokens: ChatToken[];
  ids: number[];
}

/** A special token's text in tokenizer_config.json: a string, or an AddedToken object with `content`. */
function tokenString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') return (value as { content: string }).content;
  return undefined;
}

/**
 * The chat template of a tokenizer_config.json: its `chat_template` string, or the one named
 * "default" (else the first) where it lists several; undefined where it has none.
 */
export function chatTemplateOf(tokenizerConfig: string | undefined): ChatTemplate | undefined {
  if (!tokenizerConfig) return undefined;
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(tokenizerConfig) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  let template = config.chat_template;
  if (Array.isArray(template)) {
    const named = template as { name?: unknown; template?: unknown }[];
    template = (named.find((t) => t?.name === 'default') ?? named[0])?.template;
  }
  if (typeof template !== 'string' || template.trim() === '') return undefined;
  return { template, bosToken: tokenString(config.bos_token), eosToken: tokenString(config.eos_token) };
}

// Private-use characters: no template writes them, so they mark where each message's text went.
const OPEN = '\ue000';
const CLOSE = '\ue001';
const PLACEHOLDER = new RegExp(`${OPEN}(\\d+)${CLOSE}`, 'g');

interface Stretch {
  start: number;
  end: number;
  source: ChatSource;
  /** A special token of the template (not of a message). */
  special?: { id: number; content: string };
}

/** The conversation rendered by `chat` and read by `tokenizer`, ending where the assistant's answer starts. */
export function readChat(chat: ChatTemplate, tokenizer: Tokenizer, messages: readonly ChatMessage[]): ChatReading {
  const rendered = new Template(chat.template).render({
    messages: messages.map((m, i) => ({ role: m.role, content: `${OPEN}${i}${CLOSE}` })),
    add_generation_prompt: true,
    bos_token: chat.bosToken ?? '',
    eos_token: chat.eosToken ?? '',
  });
  // The final text, and which stretches of it are the template's special tokens or a message.
  const specials = [...(tokenizer.specialTokens?.() ?? [])].sort((a, b) => b.content.length - a.content.length);
  let text = '';
  const stretches: Stretch[] = [];
  const addTemplateText = (piece: string) => {
    let plainFrom = 0;
    for (let i = 0; i < piece.length; ) {
      const special = specials.find((s) => piece.startsWith(s.content, i));
      if (!special) {
        i++;
        continue;
      }
      if (i > plainFrom) stretches.push({ start: text.length + plainFrom, end: text.length + i, source: 'template' });
      stretches.push({ start: text.length + i, end: text.length + i + special.content.length, source: 'template', special });
      i += special.content.length;
      plainFrom = i;
    }
    if (piece.length > plainFrom) stretches.push({ start: text.length + plainFrom, end: text.length + piece.length, source: 'template' });
    text += piece;
  };
  let last = 0;
  for (const match of rendered.matchAll(PLACEHOLDER)) {
    addTemplateText(rendered.slice(last, match.index));
    const message = messages[Number(match[1])];
    if (message && message.content !== '') {
      stretches.push({ start: text.length, end: text.length + message.content.length, source: message.role });
      text += message.content;
    }
    last = match.index! + match[0].length;
  }
  addTemplateText(rendered.slice(last));

  // Between two special tokens the text is read in one piece, as transformers reads it: BPE may
  // merge across the edge of a message.
  const tokens: ChatToken[] = [];
  const sourceAt = (offset: number): ChatSource => stretches.find((s) => !s.special && s.start <= offset && offset < s.end)?.source ?? 'template';
  let runStart: number | undefined;
  const flush = (end: number) => {
    if (runStart === undefined || end <= runStart) return;
    const from = runStart;
    for (const span of tokenizer.tokenize(text.slice(from, end))) {
      // The tokenizer's own additions (BOS, EOS) are the template's business here.
      if (span.special && span.start === span.end) continue;
      tokens.push({ ...span, start: span.start + from, end: span.end + from, source: sourceAt(span.start + from) });
    }
    runStart = undefined;
  };
  for (const stretch of stretches) {
    if (stretch.special) {
      flush(stretch.start);
      const { id, content } = stretch.special;
      tokens.push({ id, text: content, start: stretch.start, end: stretch.end, bytes: tokenizer.tokenBytesHex(id), special: true, source: 'template' });
    } else {
      runStart ??= stretch.start;
    }
  }
  flush(text.length);
  return { text, tokens, ids: tokens.map((t) => t.id) };
}
