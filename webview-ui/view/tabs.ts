// The panel's tab strip (WAI-ARIA tabs pattern: role=tablist/tab/tabpanel, roving tabindex,
// arrow keys, Home/End). A tab's view is told each time it is shown, so views that cost
// something (attention maps, the logit lens) render only once the user opens them.
import { el } from '../dom';

/** What a tab shows. `element` exists at once; its content may be filled lazily in `shown`. */
export interface TabView {
  readonly element: HTMLElement;
  /** Called every time the tab becomes the visible one (including the first time). */
  shown?(): void;
  /** Called when another tab replaces it. */
  hidden?(): void;
}

interface TabEntry {
  id: string;
  button: HTMLButtonElement;
  panel: HTMLElement;
  view: TabView;
}

export class Tabs {
  readonly element = el('div', { className: 'tabs' });
  private readonly strip = el('div', { className: 'tab-strip', attrs: { role: 'tablist', 'aria-label': 'Views' } });

  /** The tab strip's name for screen readers, in the panel's language. */
  setStripLabel(label: string): void {
    this.strip.setAttribute('aria-label', label);
  }
  private readonly panels = el('div', { className: 'tab-panels' });
  private readonly entries: TabEntry[] = [];
  private current: TabEntry | undefined;

  constructor(private readonly onChange?: (id: string) => void) {
    this.element.append(this.strip, this.panels);
    this.strip.addEventListener('keydown', (event) => this.key(event));
  }

  /** Adds a tab at the end; the first tab added is the one shown. */
  add(id: string, label: string, view: TabView): void {
    if (this.entries.some((entry) => entry.id === id)) throw new Error(`tab ${id} exists already`);
    const button = el('button', {
      className: 'tab',
      text: label,
      attrs: { role: 'tab', id: `tab-${id}`, 'aria-controls': `tabpanel-${id}`, 'aria-selected': 'false', tabindex: '-1', type: 'button', 'data-tab': id },
    });
    const panel = el('div', { className: 'tab-panel', attrs: { role: 'tabpanel', id: `tabpanel-${id}`, 'aria-labelledby': `tab-${id}` } }, [view.element]);
    panel.hidden = true;
    const entry: TabEntry = { id, button, panel, view };
    button.addEventListener('click', () => this.select(id));
    this.entries.push(entry);
    this.strip.appendChild(button);
    this.panels.appendChild(panel);
    if (!this.current) this.select(id);
  }

  /** Renames a tab (for localisation). */
  setLabel(id: string, label: string): void {
    const entry = this.find(id);
    if (entry) entry.button.textContent = label;
  }

  get selected(): string | undefined {
    return this.current?.id;
  }

  isShown(id: string): boolean {
    return this.current?.id === id;
  }

  select(id: string, focus = false): void {
    const entry = this.find(id);
    if (!entry) return;
    const changed = entry !== this.current;
    if (changed) this.current?.view.hidden?.();
    for (const other of this.entries) {
      const on = other === entry;
      other.button.setAttribute('aria-selected', String(on));
      other.button.setAttribute('tabindex', on ? '0' : '-1');
      other.button.classList.toggle('selected', on);
      other.panel.hidden = !on;
    }
    this.current = entry;
    if (focus) entry.button.focus();
    entry.view.shown?.();
    if (changed) this.onChange?.(id);
  }

  private find(id: string): TabEntry | undefined {
    return this.entries.find((entry) => entry.id === id);
  }

  private key(event: KeyboardEvent): void {
    if (!this.current || this.entries.length === 0) return;
    const at = this.entries.indexOf(this.current);
    const n = this.entries.length;
    const moves: Record<string, number> = { ArrowRight: (at + 1) % n, ArrowLeft: (at - 1 + n) % n, Home: 0, End: n - 1 };
    const next = moves[event.key];
    if (next === undefined) return;
    event.preventDefault();
    this.select(this.entries[next]!.id, true);
  }
}
