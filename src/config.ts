// Typed access to the `llmLens.*` settings (declared in package.json `contributes.configuration`).
// Every value is checked: a hand-edited settings.json with a wrong type falls back to the default.
import * as vscode from 'vscode';
import type { BackendPreference, WeightPreference } from './engine/types';
import { BACKEND_PREFERENCES, WEIGHT_PREFERENCES, COUNT_ENCODINGS, HEAT_MAP_MODES, LIMITS, type CountEncoding, type HeatMapMode, type ViewSettings } from './protocol';

export const SECTION = 'llmLens';

export interface LensSettings {
  countEncoding: CountEncoding;
  heatMapMode: HeatMapMode;
  heatMapEnabled: boolean;
  topK: number;
  backend: BackendPreference;
  /** float32 or 8-bit weights ('auto': 8-bit only when float32 would not fit). */
  weights: WeightPreference;
  temperature: number;
}

export const DEFAULT_SETTINGS: LensSettings = {
  countEncoding: 'model',
  heatMapMode: 'rank',
  heatMapEnabled: true,
  topK: 20,
  backend: 'auto',
  weights: 'auto',
  temperature: 1,
};

function oneOf<T extends string>(value: unknown, options: readonly T[], fallback: T): T {
  return typeof value === 'string' && (options as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** A number setting within [min, max]; the fallback when it is not a finite number. */
export function clamp(value: unknown, min: number, max: number, fallback: number, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return fallback;
  const bounded = Math.min(max, Math.max(min, value));
  return integer ? Math.round(bounded) : bounded;
}

export function readSettings(): LensSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return {
    countEncoding: oneOf(config.get('countEncoding'), COUNT_ENCODINGS, DEFAULT_SETTINGS.countEncoding),
    heatMapMode: oneOf(config.get('heatMap.mode'), HEAT_MAP_MODES, DEFAULT_SETTINGS.heatMapMode),
    heatMapEnabled: typeof config.get('heatMap.enabled') === 'boolean' ? config.get<boolean>('heatMap.enabled')! : DEFAULT_SETTINGS.heatMapEnabled,
    topK: clamp(config.get('topK'), LIMITS.topKMin, LIMITS.topKMax, DEFAULT_SETTINGS.topK, true),
    backend: oneOf(config.get('backend'), BACKEND_PREFERENCES, DEFAULT_SETTINGS.backend),
    weights: oneOf(config.get('weights'), WEIGHT_PREFERENCES, DEFAULT_SETTINGS.weights),
    temperature: clamp(config.get('temperature'), LIMITS.temperatureMin, LIMITS.temperatureMax, DEFAULT_SETTINGS.temperature, false),
  };
}

/** The heat-map mode in effect: 'off' when the toggle is off, whatever the mode setting says. */
export function effectiveHeatMode(settings: LensSettings): HeatMapMode {
  return settings.heatMapEnabled ? settings.heatMapMode : 'off';
}

export function viewSettings(settings: LensSettings): ViewSettings {
  return { topK: settings.topK, temperature: settings.temperature, heatMapMode: effectiveHeatMode(settings) };
}

export async function setHeatMapEnabled(enabled: boolean): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  // Write where the user would look: the workspace when one is open and already sets it.
  const inspected = config.inspect<boolean>('heatMap.enabled');
  const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update('heatMap.enabled', enabled, target);
}
