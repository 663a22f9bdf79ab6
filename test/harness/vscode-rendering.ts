// What VS Code 1.100 makes of plain strings on its surfaces, from its own patterns (copied from the
// workbench in code-server 4.100.3): tests check that untrusted text comes out as written.

/** vs/base/common/linkedText.ts: what a notification turns into a link. */
export const NOTIFICATION_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^\)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
/** vs/base/browser/ui/iconLabel/iconLabels.ts (ThemeIcon name and modifier expressions): what a label turns into an icon. */
const LABEL_ICON = /(\\)?\$\(([A-Za-z0-9-]+(?:~[A-Za-z]+)?)\)/g;

/** A notification as VS Code renders it: the text a reader sees (word joiners are invisible), and the links it made. */
export function renderNotification(message: string): { text: string; links: string[] } {
  const links = [...message.matchAll(NOTIFICATION_LINK)].map((m) => m[2]!);
  return { text: message.replace(NOTIFICATION_LINK, (_, label: string) => label).replaceAll('\u2060', ''), links };
}

/** A status bar or quick pick label as VS Code renders it: an icon becomes «icon:name»; an escaped one is its text. */
export function renderLabel(label: string): string {
  return label.replace(LABEL_ICON, (_, escaped: string | undefined, name: string) => (escaped ? `$(${name})` : `«icon:${name}»`));
}
