// The bundled model's layer and head counts, read from its config.json by the engine's own
// config parser: the host checks the layer and head indices of attention messages against them.
import * as vscode from 'vscode';
import { parseGpt2Config } from '../engine/checkpoint';
import type { AttentionShape } from '../protocol';
import { MODEL_FOLDER } from '../panel/explain-panel';

/** The model's shape, or a sentence saying why it could not be read. */
export async function readModelShape(extensionUri: vscode.Uri): Promise<AttentionShape | string> {
  const uri = vscode.Uri.joinPath(extensionUri, ...MODEL_FOLDER, 'config.json');
  try {
    const json = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const { config } = parseGpt2Config(json, uri.fsPath, MODEL_FOLDER[MODEL_FOLDER.length - 1]);
    return { layers: config.nLayer, heads: config.nHead };
  } catch (error) {
    return `cannot read the model's ${uri.fsPath}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
