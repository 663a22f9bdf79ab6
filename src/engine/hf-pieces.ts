// What bytes of text each vocabulary entry ("piece") of a tokenizer.json model stands for.
//  - Byte-level BPE (GPT-2, Llama 3, Qwen, DeepSeek, SmolLM): every byte is written as one
//    printable character (GPT-2's bytes_to_unicode table: "Ġ" is the space byte 0x20).
//  - SentencePiece-style BPE (Llama 2, Mistral v0.1, TinyLlama, Gemma): pieces are text with
//    "▁" for a space; with byte fallback, "<0xE4>" is the single byte 0xE4.
// A piece's bytes are what the text holds, so "▁Hello" is " Hello" (20 48 65 6c 6c 6f): spaces
// are 0x20 in every family. A "▁" typed by the user is, to these models, also a space.
import { utf8Encoder } from './token-spans';

/** GPT-2's bytes_to_unicode: byte -> the character standing for it. */
function byteLevelAlphabet(): string[] {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const chars: string[] = [];
  let next = 256;
  for (let b = 0; b < 256; b++) chars[b] = String.fromCharCode(printable(b) ? b : next++);
  return chars;
}

const BYTE_OF_CHAR: ReadonlyMap<string, number> = new Map(byteLevelAlphabet().map((char, byte) => [char, byte]));
const BYTE_FALLBACK_PIECE = /^<0x([0-9A-F]{2})>$/;

export interface PieceDecoding {
  /** Pieces are byte-level characters. */
  byteLevel: boolean;
  /** The character that stands for a space in SentencePiece-style pieces ("▁"), if any. */
  spaceMarker: string | null;
  /** "<0xNN>" pieces are single bytes. */
  byteFallback: boolean;
}

/** The bytes a model piece stands for. */
export function pieceBytes(piece: string, decoding: PieceDecoding): Uint8Array {
  if (decoding.byteLevel) {
    const bytes = new Uint8Array(piece.length);
    let n = 0;
    for (const char of piece) {
      const byte = BYTE_OF_CHAR.get(char);
      if (byte === undefined) return textBytes(piece, decoding); // not byte-level after all
      bytes[n++] = byte;
    }
    return bytes.subarray(0, n);
  }
  if (decoding.byteFallback) {
    const match = BYTE_FALLBACK_PIECE.exec(piece);
    if (match) return Uint8Array.of(parseInt(match[1]!, 16));
  }
  return textBytes(piece, decoding);
}

/** The bytes of text written with the space marker: the marker is a space. */
export function textBytes(text: string, decoding: PieceDecoding): Uint8Array {
  return utf8Encoder.encode(decoding.spaceMarker ? text.replaceAll(decoding.spaceMarker, ' ') : text);
}

/** The text the model's pieces are made from, as bytes are counted: the marker as a space. */
export function unmarked(text: string, decoding: PieceDecoding): string {
  return decoding.spaceMarker ? text.replaceAll(decoding.spaceMarker, ' ') : text;
}
