// The Hugging Face token for gated and private models: the one the user gave LLM Lens, kept in
// VS Code's SecretStorage (never in settings, never logged), else the environment's (HF_TOKEN or
// the token file of `hf auth login`), as huggingface_hub finds it.
import * as vscode from 'vscode';
import { environmentToken } from '../hub/hub-env';

const SECRET_KEY = 'llmLens.huggingFaceToken';

export class HubTokens {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  async token(): Promise<string | undefined> {
    return (await this.secrets.get(SECRET_KEY)) || environmentToken();
  }

  /** Asks for a token (a password box); stored when given. Resolves to it, or undefined when the user gives none. */
  async ask(reason: string): Promise<string | undefined> {
    const value = await vscode.window.showInputBox({
      title: vscode.l10n.t('Hugging Face access token'),
      prompt: vscode.l10n.t('{0} Create a token with read access at huggingface.co/settings/tokens. LLM Lens keeps it in VS Code\'s secret storage.', reason),
      placeHolder: 'hf_…',
      password: true,
      ignoreFocusOut: true,
      validateInput: (text) => (/^\S{8,}$/.test(text.trim()) ? undefined : vscode.l10n.t('A token is one word of at least 8 characters, e.g. hf_…')),
    });
    const token = value?.trim();
    if (!token) return undefined;
    await this.secrets.store(SECRET_KEY, token);
    return token;
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_KEY);
  }
}
