import type { ReactNode } from 'react';
import { isApiError } from '../api/client';
import { errorMessage } from './states';

interface FieldErrorTarget {
  setFieldError: (path: string, error: ReactNode) => void;
  getInputNode?: (path: string) => HTMLElement | null;
}

/** `/body/contactPoints/0/value` → `contactPoints.0.value`, or null for another part. */
function formPath(path: string | undefined): string | null {
  if (!path?.startsWith('/body/')) return null;
  return path.slice('/body/'.length).split('/').join('.');
}

/** A field error as the server words it ("must be at most 100 characters"), as a sentence. */
function sentence(message: string): string {
  if (message === 'is required') return 'Required';
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/**
 * Puts each field error of a server refusal next to the field it names (`path` like
 * `/body/contactPoints/0/value` becomes the form path `contactPoints.0.value`): a validation
 * failure lists every invalid field in `errors`, other refusals name one in `path`. Returns the
 * message to show at form level when the error names no field of this form.
 */
export function showServerError(
  form: FieldErrorTarget,
  error: unknown,
  fields: readonly string[],
): string | null {
  if (!isApiError(error)) return errorMessage(error);
  const known = (field: string) =>
    fields.some((name) => field === name || field.startsWith(`${name}.`));
  const listed = error.problem.errors ?? [];
  const shown = (
    listed.length > 0
      ? listed.map((e) => ({ field: formPath(e.path), text: sentence(e.message) }))
      : [{ field: formPath(error.problem.path), text: error.message }]
  ).filter((e): e is { field: string; text: string } => e.field !== null && known(e.field));
  for (const { field, text } of shown) form.setFieldError(field, text);
  // Long forms scroll: bring the first field the server complained about into view.
  const [first] = shown;
  if (first) form.getInputNode?.(first.field)?.focus();
  // An error about something this form does not show is said at form level too.
  return shown.length === 0 || shown.length < listed.length ? errorMessage(error) : null;
}
