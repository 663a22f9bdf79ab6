// Picks the panel's string bundle for VS Code's display language and fills in placeholders.
import { en, type Bundle, type MessageKey } from './en';
import { zhCn } from './zh-cn';

export type { Bundle, MessageKey };
export const BUNDLES: Readonly<Record<string, Bundle>> = { en, 'zh-cn': zhCn };

/** The bundle for a VS Code language id ("zh-cn", "zh-CN", "en-us", ...); English when there is none. */
export function bundleFor(language: string | undefined): { language: string; bundle: Bundle } {
  const id = (language ?? 'en').toLowerCase();
  // zh-hans is the same written language as zh-cn; zh-tw / zh-hk are not (Traditional Chinese).
  const key = id === 'zh-cn' || id === 'zh-hans' || id === 'zh-sg' ? 'zh-cn' : 'en';
  return { language: key, bundle: BUNDLES[key] };
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

/** A translator over `bundle`: `{name}` is replaced by values[name]; unknown names stay visible. */
export function translator(bundle: Bundle): Translate {
  return (key, values = {}) =>
    bundle[key].replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}

/** The English translator: what views use until the panel learns VS Code's language. */
export const english: Translate = translator(en);
