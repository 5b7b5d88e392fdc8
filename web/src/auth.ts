// The access key, when the server requires one. It is kept in sessionStorage: it survives a reload
// of this tab but not the end of the browser session, and other tabs never see it.
import { h } from './dom';

const STORAGE = 'task-executor.apiKey';

export const currentKey = (): string | undefined => sessionStorage.getItem(STORAGE) ?? undefined;
export const forgetKey = () => sessionStorage.removeItem(STORAGE);
export const bearer = (): string | undefined => {
  const key = currentKey();
  return key ? `Bearer ${key}` : undefined;
};

/** Shows a form asking for a key; resolves once one is entered (and stored). */
export function askForKey(container: HTMLElement, problem: string): Promise<string> {
  return new Promise((resolve) => {
    const input = h('input', { id: 'api-key', name: 'api-key', type: 'password', autocomplete: 'off', required: true, minlength: 16, 'aria-describedby': 'key-problem' });
    const form = h(
      'form',
      {
        class: 'panel key-form',
        onSubmit: (event: Event) => {
          event.preventDefault();
          const key = input.value.trim();
          if (!key) return;
          sessionStorage.setItem(STORAGE, key);
          resolve(key);
        },
      },
      h('h2', null, 'An access key is needed'),
      h('p', { id: 'key-problem', class: 'muted' }, problem),
      h('label', { for: 'api-key' }, 'Access key'),
      input,
      h('button', { type: 'submit', class: 'primary' }, 'Continue'),
      h('p', { class: 'muted small' }, 'The key is kept for this tab only and sent as Authorization: Bearer <key>.'),
    );
    container.replaceChildren(form);
    input.focus();
  });
}
