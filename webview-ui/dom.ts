// Tiny DOM builder. Text only ever enters the DOM as text nodes (textContent), never as markup:
// token texts come from the user's documents.

export interface ElementSpec {
  className?: string;
  text?: string;
  /** Attributes set with setAttribute: never `style` or `on*` (the CSP forbids them anyway). */
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  spec: ElementSpec = {},
  children: (Node | null | undefined | false)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (spec.className) node.className = spec.className;
  if (spec.text !== undefined) node.textContent = spec.text;
  for (const [name, value] of Object.entries(spec.attrs ?? {})) {
    if (name === 'style' || name.startsWith('on')) throw new Error(`el(): attribute ${name} is not allowed`);
    node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.appendChild(child);
  return node;
}

export function clear(node: Element): void {
  while (node.firstChild) node.removeChild(node.firstChild);
}

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

/** An SVG element with attributes (never `style` or `on*`, as in el()), and optional text as a text node. */
export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NAMESPACE, tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === 'style' || name.startsWith('on')) throw new Error(`svg(): attribute ${name} is not allowed`);
    node.setAttribute(name, String(value));
  }
  if (text !== undefined) node.textContent = text;
  return node;
}
