// The `llmLens.hover.*` settings, checked like the rest: a wrong type falls back to the default.
import * as vscode from 'vscode';
import { clamp } from '../config';
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
  const enabled = config.get<unknown>('hover.enabled');
  const excluded = config.get<unknown>('hover.excludedLanguages');
  return {
    enabled: typeof enabled === 'boolean' ? enabled : HOVER_DEFAULTS.enabled,
    contextTokens: clamp(config.get('hover.contextTokens'), 1, contextLimit, Math.min(HOVER_DEFAULTS.contextTokens, contextLimit), true),
    topK: clamp(config.get('hover.topK'), 1, 50, HOVER_DEFAULTS.topK, true),
    temperature: clamp(config.get('temperature'), 0.1, 2, HOVER_DEFAULTS.temperature, false),
    maxFileLength: Math.round(clamp(config.get('hover.maxFileSizeMB'), 0, 1024, HOVER_DEFAULTS.maxFileLength / 1e6, false) * 1e6),
    excludedLanguages: Array.isArray(excluded) ? excluded.filter((l): l is string => typeof l === 'string') : HOVER_DEFAULTS.excludedLanguages,
  };
}
