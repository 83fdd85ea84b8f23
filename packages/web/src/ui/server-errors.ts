import type { ReactNode } from 'react';
import { isApiError } from '../api/client';
import { errorMessage } from './states';

interface FieldErrorTarget {
  setFieldError: (path: string, error: ReactNode) => void;
  getInputNode?: (path: string) => HTMLElement | null;
}

/**
 * Puts a server error next to the field it names (`path` like `/body/contactPoints/0/value`
 * becomes the form path `contactPoints.0.value`). Returns the message to show at form level
 * when the error names no field of this form.
 */
export function showServerError(
  form: FieldErrorTarget,
  error: unknown,
  fields: readonly string[],
): string | null {
  if (isApiError(error) && error.problem.path?.startsWith('/body/')) {
    const field = error.problem.path.slice('/body/'.length).split('/').join('.');
    const known = fields.some((name) => field === name || field.startsWith(`${name}.`));
    if (known) {
      form.setFieldError(field, error.message);
      // Long forms scroll: bring the field the server complained about into view.
      form.getInputNode?.(field)?.focus();
      return null;
    }
  }
  return errorMessage(error);
}
