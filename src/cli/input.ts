// Where the text comes from: --text, --file, or stdin when it is piped.
import fs from 'node:fs';
import { CliError, UsageError } from './errors';
import type { ParsedArgs } from './args';

export const TEXT_INPUT_OPTIONS = [
  { name: 'text', kind: 'string' },
  { name: 'file', kind: 'string' },
] as const;

export interface TextSource {
  isTTY: boolean | undefined;
  read(): Promise<Uint8Array>;
}

/** The process's stdin, read to its end. */
export const processStdin: TextSource = {
  get isTTY() {
    return process.stdin.isTTY;
  },
  async read() {
    const chunks: Uint8Array[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Uint8Array);
    return concatBytes(chunks);
  },
};

export async function readInputText(args: ParsedArgs, command: string, stdin: TextSource = processStdin): Promise<string> {
  const text = args.values.get('text');
  const file = args.values.get('file');
  if (text !== undefined && file !== undefined) throw new UsageError('give either --text or --file, not both', command);
  if (text !== undefined) return text;
  if (file !== undefined) return decodeUtf8(await readFile(file));
  if (stdin.isTTY) throw new UsageError('no input: give --text T, --file F, or pipe text on stdin', command);
  return decodeUtf8(await stdin.read());
}

async function readFile(file: string): Promise<Uint8Array> {
  try {
    const bytes = await fs.promises.readFile(file);
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
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
