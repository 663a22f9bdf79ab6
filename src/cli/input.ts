// Where the text comes from: --text, --file, or stdin when it is piped. Every source stops at
// MAX_INPUT_CHARS (read in bytes, so a FIFO, /dev/zero or a 10 MB pipe is never read whole),
// and text that byte-pair encoding would take minutes on is refused before it is tokenized.
import { FileRefusedError, readRegularFile } from '../node/regular-file';
import { tokenizeCostProblem } from '../tokenize-cost';
import { CliError, UsageError } from './errors';
import type { ParsedArgs } from './args';

export const TEXT_INPUT_OPTIONS = [
  { name: 'text', kind: 'string' },
  { name: 'file', kind: 'string' },
] as const;

/**
 * The longest text the CLI reads, as Explain Tokens in the editor. `tokens` prints every token:
 * at most 3 per UTF-16 unit (one per byte), ~82 JSON characters each, so the JSON stays under
 * V8's longest string (536,870,888) that 10 MB of input overflowed. 2,000,000 characters of
 * random Unicode, the worst case seen, give 430 MB of JSON in ~40 s and ~3 GB of memory.
 */
export const MAX_INPUT_CHARS = 2_000_000;
/**
 * UTF-8 needs at most 3 bytes per UTF-16 unit (a 4-byte character is 2 units), plus a 3-byte
 * byte-order mark: input longer than this is over MAX_INPUT_CHARS, whatever it holds.
 */
export const MAX_INPUT_BYTES = 3 * MAX_INPUT_CHARS + 3;

export interface TextSource {
  isTTY: boolean | undefined;
  /** Up to `maxBytes` bytes, or more than that when the input is longer (reading stops there). */
  read(maxBytes: number): Promise<Uint8Array>;
}

/** The process's stdin, read until its end or until it holds more than `maxBytes`. */
export const processStdin: TextSource = {
  get isTTY() {
    return process.stdin.isTTY;
  },
  async read(maxBytes) {
    const chunks: Uint8Array[] = [];
    let received = 0;
    for await (const chunk of process.stdin) {
      chunks.push(chunk as Uint8Array);
      received += (chunk as Uint8Array).byteLength;
      if (received > maxBytes) break; // leaving the loop destroys the stream: /dev/zero ends here
    }
    return concatBytes(chunks);
  },
};

export async function readInputText(args: ParsedArgs, command: string, stdin: TextSource = processStdin): Promise<string> {
  const text = args.values.get('text');
  const file = args.values.get('file');
  if (text !== undefined && file !== undefined) throw new UsageError('give either --text or --file, not both', command);
  let input: string;
  if (text !== undefined) input = text;
  else if (file !== undefined) input = decodeUtf8(await readFile(file));
  else if (stdin.isTTY) throw new UsageError('no input: give --text T, --file F, or pipe text on stdin', command);
  else input = decodeUtf8(limitBytes(await stdin.read(MAX_INPUT_BYTES)));
  checkTokenizable(input, 'the text');
  return input;
}

/**
 * Refuses text over MAX_INPUT_CHARS, or that byte-pair encoding would take minutes on (the
 * extension's guard, src/tokenize-cost.ts), with one line that says why.
 */
export function checkTokenizable(text: string, what: string): void {
  if (text.length > MAX_INPUT_CHARS) throw tooLong();
  const problem = tokenizeCostProblem(text);
  if (problem) {
    throw new CliError(
      `cannot tokenize ${what}: it holds a run of ${problem.longestRun.toLocaleString('en-US')} characters of one kind (letters, digits, symbols or whitespace) with nothing to break it, from offset ${problem.longestRunStart}; byte-pair encoding takes time quadratic in a run's length, so it would take too long. Break the run up or leave it out`,
    );
  }
}

const tooLong = () =>
  new CliError(`the text is longer than ${MAX_INPUT_CHARS.toLocaleString('en-US')} characters, the most llm-lens reads; split it into parts`);

function limitBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength > MAX_INPUT_BYTES) throw tooLong();
  return bytes;
}

async function readFile(file: string): Promise<Uint8Array> {
  try {
    return await readRegularFile(file, MAX_INPUT_BYTES);
  } catch (error) {
    if (error instanceof FileRefusedError) {
      if (error.refusal === 'too-large') throw tooLong();
      throw new CliError(error.refusal === 'folder' ? `cannot read ${file}: it is a folder` : `${error.message}; pipe its text on stdin instead`);
    }
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new CliError(`cannot read ${file}: ${why}`);
  }
}

function concatBytes(chunks: readonly Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

/**
 * UTF-8, as editors read it: a leading byte-order mark is dropped (VS Code does not show it,
 * so offsets match editor positions), invalid bytes become U+FFFD.
 */
function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { ignoreBOM: false }).decode(bytes);
}
