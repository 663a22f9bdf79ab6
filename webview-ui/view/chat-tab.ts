// The Chat tab: how an instruct model reads a conversation. Its chat template writes a system
// prompt and a user message into one text with marker tokens; the tab shows that text, its
// tokens (markers, template text and each message told apart) and the distribution of the
// assistant's first token: a chatbot is next-token prediction on this text.
import { el } from '../dom';
import type { Translate } from '../i18n';
import type { PanelEngine } from '../engine-client';
import type { ChatAnswer } from '../engine-rpc';
import type { ChatSource } from '../../src/engine/chat-template';
import { displaySegments, displayToken, glyphClass } from './token-display';
import { formatPercent } from './format';

export interface ChatEngine {
  engine: Pick<PanelEngine, 'chat' | 'tokenizer' | 'texts' | 'config'>;
}

const DEFAULT_SYSTEM = 'You are a helpful assistant.';
const DEFAULT_USER = 'What is a token?';

export class ChatTab {
  readonly element = el('section', { className: 'chat', attrs: { 'data-view': 'chat' } });
  private readonly system = el('textarea', { className: 'chat-input', attrs: { 'data-control': 'system', rows: '2' } });
  private readonly user = el('textarea', { className: 'chat-input', attrs: { 'data-control': 'user', rows: '3' } });
  private readonly status = el('p', { className: 'chat-status muted' });
  private readonly result = el('div', { className: 'chat-result' });
  private readonly form: HTMLElement;
  private built = false;
  private seq = 0;

  constructor(
    private readonly t: Translate,
    private readonly loadEngine: () => Promise<ChatEngine>,
  ) {
    this.system.value = DEFAULT_SYSTEM;
    this.user.value = DEFAULT_USER;
    this.system.setAttribute('aria-label', t('chat.system'));
    this.user.setAttribute('aria-label', t('chat.user'));
    const read = el('button', { text: t('chat.read'), attrs: { type: 'button', 'data-action': 'read-chat' } });
    read.addEventListener('click', () => void this.read());
    this.form = el('div', { className: 'chat-form' }, [
      el('label', { className: 'chat-field' }, [el('span', { className: 'stat-label', text: t('chat.system') }), this.system]),
      el('label', { className: 'chat-field' }, [el('span', { className: 'stat-label', text: t('chat.user') }), this.user]),
      el('div', { className: 'generate-buttons' }, [read]),
    ]);
  }

  /** Builds the tab the first time it is shown: the form for an instruct model, a note for a base model. */
  shown(): void {
    if (this.built) return;
    this.built = true;
    this.element.replaceChildren(el('h2', { className: 'distribution-heading', text: this.t('chat.title') }), el('p', { text: this.t('chat.intro') }), this.status);
    this.status.textContent = this.t('chat.loading');
    void this.loadEngine().then(
      ({ engine }) => {
        if (!engine.tokenizer.chatTemplate) {
          this.status.textContent = this.t('chat.noTemplate', { model: engine.config.name });
          this.status.setAttribute('data-state', 'no-template');
          return;
        }
        this.status.textContent = '';
        this.element.append(this.form, this.result);
      },
      (error: unknown) => this.fail(error),
    );
  }

  private async read(): Promise<void> {
    const seq = ++this.seq;
    this.status.textContent = this.t('chat.reading');
    this.status.classList.remove('error');
    try {
      const { engine } = await this.loadEngine();
      const messages = [
        ...(this.system.value.trim() ? [{ role: 'system' as const, content: this.system.value.trim() }] : []),
        { role: 'user' as const, content: this.user.value.trim() },
      ];
      const answer = await engine.chat(messages);
      if (seq !== this.seq) return;
      this.status.textContent = '';
      this.render(answer, engine);
    } catch (error) {
      if (seq === this.seq) this.fail(error);
    }
  }

  private fail(error: unknown): void {
    this.status.textContent = this.t('chat.failed', { message: error instanceof Error ? error.message : String(error) });
    this.status.classList.add('error');
  }

  private render(answer: ChatAnswer, engine: ChatEngine['engine']): void {
    const t = this.t;
    const count = (source: ChatSource, special = false) => answer.tokens.filter((token) => token.source === source && (token.special === true) === special).length;
    const markers = answer.tokens.filter((token) => token.special).length;
    const chips = answer.tokens.map((token, i) => {
      const chip = el('span', {
        className: `chat-chip source-${token.source}${token.special ? ' special' : ''}`,
        attrs: { 'data-position': String(i), 'data-id': String(token.id), 'data-source': token.source, title: `${token.id} · ${t(`chat.source.${token.source}`)}` },
      });
      for (const segment of displaySegments(token)) chip.appendChild(segment.kind === 'text' ? document.createTextNode(segment.text) : el('span', { className: glyphClass(segment.kind), text: segment.text }));
      return chip;
    });
    const top = answer.next.top;
    const bars = top.map(([id, logprob]) => {
      const p = Math.exp(logprob);
      const fill = el('span', { className: 'bar-fill' });
      fill.style.width = `${Math.max(0.5, (p / Math.exp(top[0]![1])) * 100).toFixed(2)}%`;
      return el('li', { className: 'bar-row', attrs: { 'data-id': String(id), 'data-value': String(p) } }, [
        el('span', { className: 'bar-rank', text: String(top.findIndex(([other]) => other === id) + 1) }),
        el('span', { className: 'token-label', text: displayToken(engine.texts.text(id)) }),
        el('span', { className: 'bar-track' }, [fill]),
        el('span', { className: 'bar-value', text: formatPercent(p) }),
      ]);
    });
    this.result.replaceChildren(
      el('h3', { className: 'lens-subheading', text: t('chat.textHeading') }),
      el('pre', { className: 'chat-text', text: answer.text }),
      el('p', {
        className: 'chat-counts',
        text: t('chat.counts', { total: answer.tokens.length, markers, template: count('template'), system: count('system'), user: count('user') }),
      }),
      el('div', { className: 'chat-chips' }, chips),
      el('p', { className: 'hint', text: t('chat.legend') }),
      el('h3', { className: 'lens-subheading', text: t('chat.nextHeading') }),
      el('p', { text: t('chat.next') }),
      el('ol', { className: 'bars chat-next' }, bars),
    );
  }
}
