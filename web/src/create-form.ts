// The form that creates a task. The input is JSON typed by hand, so it is parsed here first: a
// mistake is named (with the parser's own words) before anything is sent.
import { describeError, gql } from './api';
import { fill, h } from './dom';
import { CreateDocument } from './graphql/generated';

const EXAMPLES: Record<string, string> = { sleep: '{"ms": 1500}', echo: '{"hello": "world"}', fail: '{"attempts": 1}' };

/** The input as JSON, or why it is not JSON. */
export function parseInput(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `The input is not valid JSON: ${(error as Error).message}` };
  }
}

export function createForm() {
  const kind = h('select', { id: 'create-kind', name: 'kind', required: true }, h('option', { value: '' }, 'Loading kinds…'));
  const input = h('textarea', { id: 'create-input', name: 'input', rows: 4, spellcheck: 'false', 'aria-describedby': 'create-input-help create-input-error' });
  const inputError = h('p', { id: 'create-input-error', class: 'field-error', 'aria-live': 'polite' });
  const priority = h('input', { id: 'create-priority', name: 'priority', type: 'number', min: -1000, max: 1000, step: 1, placeholder: '0', inputmode: 'numeric' });
  const maxAttempts = h('input', { id: 'create-attempts', name: 'maxAttempts', type: 'number', min: 1, step: 1, placeholder: '3', inputmode: 'numeric' });
  const outcome = h('div', { class: 'outcome', role: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'primary' }, 'Create task');
  let touched = false;

  const checkInput = () => {
    const parsed = parseInput(input.value);
    inputError.textContent = parsed.ok ? '' : parsed.message;
    input.setAttribute('aria-invalid', String(!parsed.ok));
    return parsed;
  };
  input.addEventListener('input', () => {
    touched = true;
    checkInput();
  });
  kind.addEventListener('change', () => {
    // Offer an example input for the chosen kind until the person has typed their own.
    if (!touched) input.value = EXAMPLES[kind.value] ?? '{}';
    checkInput();
  });

  async function onSubmit(event: Event) {
    event.preventDefault();
    fill(outcome);
    const parsed = checkInput();
    if (!parsed.ok) {
      input.focus();
      return;
    }
    const variables = {
      input: {
        kind: kind.value,
        input: parsed.value,
        ...(priority.value !== '' && { priority: Number(priority.value) }),
        ...(maxAttempts.value !== '' && { maxAttempts: Number(maxAttempts.value) }),
      },
    };
    submit.disabled = true;
    try {
      const { createTask } = await gql(CreateDocument, variables);
      const id = createTask.task.id;
      fill(outcome, h('p', { class: 'ok' }, 'Created ', h('a', { href: `#/tasks/${id}`, 'data-created-id': id }, `task #${id}`), '.'));
    } catch (error) {
      fill(outcome, h('p', { class: 'error', role: 'alert' }, `Not created: ${describeError(error)}`));
    } finally {
      submit.disabled = false;
    }
  }

  const root = h(
    'form',
    { class: 'panel create-form', 'aria-labelledby': 'create-heading', novalidate: true, onSubmit },
    h('h2', { id: 'create-heading' }, 'New task'),
    h('label', { for: 'create-kind' }, 'Kind'),
    kind,
    h('label', { for: 'create-input' }, 'Input (JSON)'),
    input,
    h('p', { id: 'create-input-help', class: 'muted small' }, 'Passed to the handler as is; empty means null.'),
    inputError,
    h(
      'div',
      { class: 'row' },
      h('div', null, h('label', { for: 'create-priority' }, 'Priority'), priority),
      h('div', null, h('label', { for: 'create-attempts' }, 'Max attempts'), maxAttempts),
    ),
    submit,
    outcome,
  );

  return {
    root,
    setKinds(kinds: string[] | undefined, problem?: string) {
      if (!kinds) {
        fill(kind, h('option', { value: '' }, 'Kinds unavailable'));
        fill(outcome, h('p', { class: 'error' }, `Could not load the task kinds: ${problem}`));
        return;
      }
      const chosen = kind.value;
      fill(kind, kinds.length ? kinds.map((k) => h('option', { value: k, selected: k === chosen }, k)) : h('option', { value: '' }, 'This server runs no kinds'));
      if (!touched) input.value = EXAMPLES[kind.value] ?? '{}';
    },
  };
}
