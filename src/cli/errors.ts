// The two ways the command line fails: the user typed something it cannot parse (exit 2,
// with a pointer to the usage), or the work itself failed (exit 1).

/** Bad command line: unknown command or option, missing or malformed value. Exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The command whose usage applies, when one was recognised. */
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

/** The input or the model could not be processed (empty text, unreadable file...). Exit code 1. */
export class CliError extends Error {
  override readonly name = 'CliError';
}

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;
