// The `llmLens.hover.*` settings, checked like the rest: a wrong type falls back to the default.
import * as vscode from 'vscode';
import type { HoverSettings } from './hover-provider';

export const HOVER_DEFAULTS: HoverSettings = {
  enabled: true,
  contextTokens: 256,
  topK: 10,
  temperature: 1,
  maxFileLength: 50_000_000,
  excludedLanguages: [],
};

export function readHoverSettings(contextLimit: number): HoverSettings {
  const config = vscode.workspace.getConfiguration('llmLens');
  const number = (key: string, min: number, max: number, fallback: number) => {
    const value = config.get<unknown>(key);
    return typeof value === 'number' && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
  };
  const enabled = config.get<unknown>('hover.enabled');
  const excluded = config.get<unknown>('hover.excludedLanguages');
  return {
    enabled: typeof enabled === 'boolean' ? enabled : HOVER_DEFAULTS.enabled,
    contextTokens: Math.round(number('hover.contextTokens', 1, contextLimit, Math.min(HOVER_DEFAULTS.contextTokens, contextLimit))),
    topK: Math.round(number('hover.topK', 1, 50, HOVER_DEFAULTS.topK)),
    temperature: number('temperature', 0.1, 2, HOVER_DEFAULTS.temperature),
    maxFileLength: Math.round(number('hover.maxFileSizeMB', 0, 1024, HOVER_DEFAULTS.maxFileLength / 1e6) * 1e6),
    excludedLanguages: Array.isArray(excluded) ? excluded.filter((l): l is string => typeof l === 'string') : HOVER_DEFAULTS.excludedLanguages,
  };
}
