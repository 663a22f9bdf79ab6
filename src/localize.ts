// How pure modules (no `vscode` import, unit-tested in Node) localise what they say: they take a
// `Localize` and the host passes `vscode.l10n.t`. The English default fills `{0}`-style
// placeholders the same way, so tests and the CLI read English without VS Code.
export type Localize = (message: string, ...args: Array<string | number | boolean>) => string;

export const english: Localize = (message, ...args) =>
  message.replace(/\{(\d+)\}/g, (whole, index: string) => (Number(index) < args.length ? String(args[Number(index)]) : whole));
