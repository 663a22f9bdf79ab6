// The llm-lens command line: parses the command, runs it, prints its result as JSON.
// Bundled to dist/cli.mjs (scripts/build.mjs); onnxruntime-web stays external.
import { parseOptions, type OptionSpec, type ParsedArgs } from './args';
import { ANALYZE_OPTIONS, runAnalyze } from './commands/analyze';
import { DOWNLOAD_OPTIONS, runDownload } from './commands/download';
import { NEIGHBOURS_OPTIONS, runNeighbours } from './commands/neighbours';
import { runTokens, TOKENS_OPTIONS } from './commands/tokens';
import { CliError, EXIT_OK, EXIT_RUNTIME, EXIT_USAGE, UsageError } from './errors';
import { writeJson } from './json-output';
import { isCommandName, SYNOPSIS, USAGE, type CommandName } from './usage';

/** Options every command accepts, also before the command name. */
const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'help', kind: 'flag' },
  { name: 'debug', kind: 'flag' },
  { name: 'pretty', kind: 'flag' },
];

interface Command {
  options: readonly OptionSpec[];
  /** Takes one argument that is not an option (download's model id). */
  positional?: boolean;
  run(args: ParsedArgs, positional?: string): Promise<unknown>;
}

const COMMANDS: Readonly<Record<CommandName, Command>> = {
  tokens: { options: TOKENS_OPTIONS, run: (args) => runTokens(args) },
  analyze: { options: ANALYZE_OPTIONS, run: (args) => runAnalyze(args) },
  neighbours: { options: NEIGHBOURS_OPTIONS, run: (args) => runNeighbours(args) },
  download: { options: DOWNLOAD_OPTIONS, positional: true, run: (args, id) => runDownload(args, id) },
};

export async function main(args: readonly string[]): Promise<number> {
  let debug = args.includes('--debug');
  try {
    const commandAt = args.findIndex((a) => !a.startsWith('-')); // options before it are global
    const leading = parseOptions(commandAt === -1 ? args : args.slice(0, commandAt), GLOBAL_OPTIONS, 'llm-lens');
    const command = commandAt === -1 ? undefined : args[commandAt]!;
    if (command === undefined) {
      if (leading.flags.has('help')) return printUsage();
      throw new UsageError('no command given');
    }
    if (!isCommandName(command)) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    let rest = args.slice(commandAt + 1);
    let positional: string | undefined;
    if (COMMANDS[command].positional && rest[0] !== undefined && !rest[0].startsWith('-')) [positional, ...rest] = rest;
    const parsed = parseOptions(rest, [...COMMANDS[command].options, ...GLOBAL_OPTIONS], command);
    const flags = new Set([...leading.flags, ...parsed.flags]);
    if (flags.has('help')) return printUsage();
    debug = flags.has('debug');
    routeLibraryLogs(debug);
    const result = await COMMANDS[command].run(parsed, positional);
    await writeJson(result, flags.has('pretty'));
    return EXIT_OK;
  } catch (error) {
    return reportError(error, debug);
  }
}

function printUsage(): number {
  process.stdout.write(USAGE);
  return EXIT_OK;
}

/** One line on stderr; the stack only with --debug. */
function reportError(error: unknown, debug: boolean): number {
  if (error instanceof UsageError) {
    const usage = error.command && isCommandName(error.command) ? SYNOPSIS[error.command] : 'llm-lens tokens|analyze|neighbours|download [options]';
    process.stderr.write(`llm-lens: ${error.message} (usage: ${usage}; see llm-lens --help)\n`);
    return EXIT_USAGE;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`llm-lens: ${message.replace(/\s*\n\s*/g, ' ').trim()}\n`);
  if (debug && error instanceof Error && error.stack && !(error instanceof CliError)) process.stderr.write(error.stack + '\n');
  return EXIT_RUNTIME;
}

/**
 * stdout carries only the JSON result. onnxruntime-web and emscripten write warnings and
 * progress through console.log/warn; this process owns its console, so those go to stderr
 * with --debug and nowhere otherwise.
 */
function routeLibraryLogs(debug: boolean): void {
  const sink = debug ? (...parts: unknown[]) => console.error(...parts) : () => undefined;
  console.log = sink;
  console.info = sink;
  console.warn = sink;
  console.debug = sink;
}

// A closed pipe (`llm-lens tokens ... | head`) ends the output early; that is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(EXIT_OK);
  throw error;
});

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
