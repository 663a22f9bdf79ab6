// What a vocabulary id shows as. A checkpoint can have more embedding rows than its tokenizer has
// ids: nanoGPT pads GPT-2's 50,257 to 50,304, a multiple of 64, for speed. Those rows have no
// text, yet the model can rank them, so every place that turns ids into words (distributions,
// the logit lens, neighbours, the hover) shows them as "<id>" instead of failing.
import { tokenBytesHex, tokenText } from './tokenizer';

/** The id's text, or "<id>" when `text` has none for it (r50k_base by default). */
export function textOrId(id: number, text: (id: number) => string = tokenText): string {
  try {
    return text(id);
  } catch {
    return `<${id}>`;
  }
}

/** Text and UTF-8 bytes (hex) of an r50k_base id; an id without text is "<id>" with no bytes. */
export function vocabularyEntry(id: number): { text: string; bytes: string; partial: boolean } {
  let text: string;
  try {
    text = tokenText(id);
  } catch {
    return { text: `<${id}>`, bytes: '', partial: false };
  }
  return { text, bytes: tokenBytesHex(id), partial: text.includes('\ufffd') };
}
