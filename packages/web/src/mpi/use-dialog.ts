import { useCallback, useState } from 'react';

interface DialogState<T> {
  opened: boolean;
  /** What the dialog is about; kept after closing so the closing animation still shows it. */
  subject: T | null;
  /** Changes on every opening: use it as the form's key so each opening starts afresh. */
  session: number;
}

/** A confirm dialog about one thing at a time (a decision, a merge to undo). */
export function useDialog<T>() {
  const [state, setState] = useState<DialogState<T>>({ opened: false, subject: null, session: 0 });
  const open = useCallback(
    (subject: T) => setState((s) => ({ opened: true, subject, session: s.session + 1 })),
    [],
  );
  const close = useCallback(() => setState((s) => ({ ...s, opened: false })), []);
  return { ...state, open, close };
}
