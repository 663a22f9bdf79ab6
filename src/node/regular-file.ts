// Node-only: open a file the user chose for reading, after src/file-checks.ts's rule (a regular
// file, after symbolic links, within a size limit), and read exactly the ranges asked for.
import fs from 'node:fs';
import { fileProblem, fileRefusal, type FileKind, type FileRefusal } from '../file-checks';

/** A regular file open for reading; `size` is its size when it was opened. */
export interface OpenFile {
  readonly path: string;
  readonly size: number;
  /** Bytes [position, position + length), within `size`. */
  read(position: number, length: number): Promise<Uint8Array>;
  /** The same, blocking: for a worker or the CLI reading a loaded model's tensors when asked. */
  readSync(position: number, length: number): Uint8Array;
  close(): Promise<void>;
}

/** A file that file-checks.ts's rule refuses; the message names it and says why. */
export class FileRefusedError extends Error {
  override readonly name = 'FileRefusedError';
  constructor(
    message: string,
    readonly refusal: FileRefusal,
  ) {
    super(message);
  }
}

/** One read() call moves at most this much (Node refuses single reads over 2 GiB). */
const READ_CHUNK_BYTES = 256 * 1024 * 1024;

/**
 * Opens `file` if it is a regular file of at most `maxBytes`. A missing or unreadable file
 * rejects with Node's own error (its `code`: ENOENT, EACCES...), any other with a
 * FileRefusedError.
 */
export async function openRegularFile(file: string, maxBytes: number): Promise<OpenFile> {
  // stat before open: opening a FIFO for reading waits for a writer, possibly forever.
  refuseUnlessReadable(file, await fs.promises.stat(file), maxBytes);
  // O_NONBLOCK, in case the path became a FIFO since the stat: open returns at once, and the
  // handle's own stat below refuses it. (Windows has no such flag and no FIFOs to open.)
  const handle = await fs.promises.open(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  let size: number;
  try {
    const stat = await handle.stat();
    refuseUnlessReadable(file, stat, maxBytes);
    size = stat.size;
  } catch (error) {
    await handle.close();
    throw error;
  }
  const checkRange = (position: number, length: number) => {
    if (!Number.isSafeInteger(position) || !Number.isSafeInteger(length) || position < 0 || length < 0 || position + length > size) {
      throw new RangeError(`${file}: bytes [${position}, ${position + length}) are outside its ${size} bytes`);
    }
  };
  return {
    path: file,
    size,
    readSync(position, length) {
      checkRange(position, length);
      const bytes = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        const bytesRead = fs.readSync(handle.fd, bytes, done, Math.min(READ_CHUNK_BYTES, length - done), position + done);
        if (bytesRead === 0) throw new Error(`${file} became shorter while it was read`);
        done += bytesRead;
      }
      return bytes;
    },
    async read(position, length) {
      checkRange(position, length);
      const bytes = new Uint8Array(length);
      for (let done = 0; done < length; ) {
        const { bytesRead } = await handle.read(bytes, done, Math.min(READ_CHUNK_BYTES, length - done), position + done);
        if (bytesRead === 0) throw new Error(`${file} became shorter while it was read`);
        done += bytesRead;
      }
      return bytes;
    },
    close: () => handle.close(),
  };
}

/** The whole of a regular file of at most `maxBytes` (see openRegularFile). */
export async function readRegularFile(file: string, maxBytes: number): Promise<Uint8Array> {
  const opened = await openRegularFile(file, maxBytes);
  try {
    return await opened.read(0, opened.size);
  } finally {
    await opened.close();
  }
}

function refuseUnlessReadable(file: string, stat: fs.Stats, maxBytes: number): void {
  const kind: FileKind = stat.isFile() ? 'file' : stat.isDirectory() ? 'folder' : 'other';
  const refusal = fileRefusal(kind, stat.size, maxBytes);
  if (refusal) throw new FileRefusedError(fileProblem(file, kind, stat.size, maxBytes)!, refusal);
}
