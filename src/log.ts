// The "LLM Lens" output channel and the one way messages reach the user: every error is a line in
// the channel and, when the user should see it, a notification with the same text. Messages
// carry untrusted parts (paths, config.json values, tensor names, the panel's errors), so the
// notification gets them through notificationText: shown as written, never as a link. The log
// keeps the raw text.
import * as vscode from 'vscode';
import { notificationText } from './untrusted-text';

export class Reporter implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor(name = 'LLM Lens') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  info(message: string): void {
    this.channel.info(message);
  }

  warn(message: string): void {
    this.channel.warn(message);
  }

  /** Logs and shows an error notification; resolves when shown (the user may never dismiss it). */
  error(message: string): void {
    this.channel.error(message);
    const showLog = vscode.l10n.t('Show Log');
    void vscode.window.showErrorMessage(`LLM Lens: ${notificationText(message)}`, showLog).then((choice) => {
      if (choice === showLog) this.channel.show(true);
    });
  }

  /** An error the user can act on: logged, shown with `actions` as buttons; resolves to the one chosen. */
  errorWithActions(message: string, ...actions: string[]): Thenable<string | undefined> {
    this.channel.error(message);
    return vscode.window.showErrorMessage(`LLM Lens: ${notificationText(message)}`, ...actions);
  }

  /** A problem with what the user asked for (e.g. nothing to explain): logged, shown as a warning. */
  notice(message: string): void {
    this.channel.warn(message);
    void vscode.window.showWarningMessage(`LLM Lens: ${notificationText(message)}`);
  }

  /** Something the user should know that is not a problem: logged, shown as information. */
  inform(message: string): void {
    this.channel.info(message);
    void vscode.window.showInformationMessage(`LLM Lens: ${notificationText(message)}`);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error);
}
