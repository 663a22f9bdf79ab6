// A token's text on one line for the walk-through and generation lists: spaces, newlines and
// tabs made visible the way the chips show them.
import { displaySegments } from './token-display';

export function displayToken(text: string): string {
  return displaySegments({ text, bytes: '', partial: false }).map((segment) => segment.text).join('');
}
