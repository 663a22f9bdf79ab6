// JSON files of a checkpoint (config.json, the shard index): parse errors name the file and
// never quote it (json-syntax.ts says why).
import { jsonSyntaxProblem } from './json-syntax';

/** The parsed JSON object in `text`; anything else is an error that starts with `fileName`. */
export function parseJsonObject(text: string, fileName: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${fileName}: ${jsonSyntaxProblem(error, text)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${fileName}: not a JSON object`);
  return value as Record<string, unknown>;
}
