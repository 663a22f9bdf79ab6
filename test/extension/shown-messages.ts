// Records what the extension hands VS Code to show: notifications and status bar messages. The
// extension host gives each extension one `vscode` API object, and these tests run from this
// extension's folder, so the extension and the tests share it: wrapping its functions sees every
// call the extension makes. Each call still goes through to VS Code.
import * as vscode from 'vscode';

export type Surface = 'information' | 'warning' | 'error' | 'statusBar';

export interface ShownMessage {
  surface: Surface;
  text: string;
}

const WRAPPED: Record<Surface, 'showInformationMessage' | 'showWarningMessage' | 'showErrorMessage' | 'setStatusBarMessage'> = {
  information: 'showInformationMessage',
  warning: 'showWarningMessage',
  error: 'showErrorMessage',
  statusBar: 'setStatusBarMessage',
};

/** Starts recording; `dispose` puts the original functions back. */
export function recordShownMessages(): { shown: ShownMessage[]; dispose(): void } {
  const shown: ShownMessage[] = [];
  const window = vscode.window as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = new Map<string, (...args: unknown[]) => unknown>();
  for (const [surface, name] of Object.entries(WRAPPED) as [Surface, string][]) {
    const original = window[name]!;
    originals.set(name, original);
    window[name] = (...args: unknown[]) => {
      shown.push({ surface, text: String(args[0]) });
      return original.apply(vscode.window, args);
    };
  }
  return {
    shown,
    dispose: () => {
      for (const [name, original] of originals) window[name] = original;
    },
  };
}
