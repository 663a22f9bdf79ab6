// Reading a file the user chose (a model folder's config.json and weights, the CLI's --file)
// starts with its stat, because the path may lead anywhere: a FIFO blocks its reader until a
// writer comes, /dev/zero never ends, a huge file would be read whole. Only regular files
// (symbolic links are followed) up to a size limit are read. Pure: the Node reader and the
// extension host (through vscode.workspace.fs) apply the same rule.
import { english, type Localize } from './localize';

export type FileKind = 'file' | 'folder' | 'other';
export type FileRefusal = 'folder' | 'not-regular' | 'too-large';

/** Why a file of this kind and size must not be read, or undefined when it may. */
export function fileRefusal(kind: FileKind, size: number, maxBytes: number): FileRefusal | undefined {
  if (kind === 'folder') return 'folder';
  if (kind === 'other') return 'not-regular';
  return size > maxBytes ? 'too-large' : undefined;
}

/** fileRefusal as a sentence naming the file, or undefined when it may be read. */
export function fileProblem(file: string, kind: FileKind, size: number, maxBytes: number, localize: Localize = english): string | undefined {
  switch (fileRefusal(kind, size, maxBytes)) {
    case 'folder':
      return localize('{0} is a folder, not a file', file);
    case 'not-regular':
      return localize('{0} is not a regular file (it is a device, a pipe or a socket), so it is not read', file);
    case 'too-large':
      return localize('{0} is too large: {1} bytes, and at most {2} are read from it', file, size.toLocaleString('en-US'), maxBytes.toLocaleString('en-US'));
    case undefined:
      return undefined;
  }
}
