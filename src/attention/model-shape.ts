// The bundled model's layer and head counts, read from its config.json: the host checks the
// layer and head indices of attention messages against them.
import * as vscode from 'vscode';
import type { AttentionShape } from '../protocol';
import { MODEL_FOLDER } from '../panel/explain-panel';

/** n_layer and n_head of a GPT-2 config.json, or a sentence saying what is wrong with it. */
export function shapeFromConfig(json: unknown): AttentionShape | string {
  if (typeof json !== 'object' || json === null) return 'config.json is not a JSON object';
  const { n_layer: layers, n_head: heads } = json as Record<string, unknown>;
  const positive = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value > 0;
  if (!positive(layers) || !positive(heads)) return `config.json must give n_layer and n_head as positive integers (got ${String(layers)}, ${String(heads)})`;
  return { layers, heads };
}

export async function readModelShape(extensionUri: vscode.Uri): Promise<AttentionShape | string> {
  const uri = vscode.Uri.joinPath(extensionUri, ...MODEL_FOLDER, 'config.json');
  try {
    return shapeFromConfig(JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(uri))));
  } catch (error) {
    return `cannot read the model's ${uri.fsPath}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
