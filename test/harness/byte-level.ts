// The bytes of a byte-level BPE piece as tokenizer.json and reference.json spell it: GPT-2's
// bytes_to_unicode table (printable bytes stand for themselves, the others for U+0100 onwards),
// written here from its definition so that the tests' expectations do not come from the code
// under test.

const byteOfCharacter = (() => {
  const printable = (b: number) => (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  const table = new Map<string, number>();
  let next = 0x100;
  for (let b = 0; b < 256; b++) table.set(String.fromCodePoint(printable(b) ? b : next++), b);
  return table;
})();

export function pieceBytes(piece: string): Uint8Array {
  return Uint8Array.from(Array.from(piece, (c) => byteOfCharacter.get(c)!));
}

/** The text a byte-level piece stands for (U+FFFD where it holds part of a character). */
export function pieceText(piece: string): string {
  return new TextDecoder().decode(pieceBytes(piece));
}
