import { badRequest } from './problem.js';

/** The NUL character, which PostgreSQL's text and JSONB cannot hold. */
export const NUL = '\u0000';

/**
 * The JSON pointer (`/familyName`, `/entry/0/resource`) of the first string or key in `value`
 * that holds a NUL character, or null. Walks without recursion, so any depth is safe.
 */
export function pathOfNul(value: unknown): string | null {
  const stack: [unknown, string][] = [[value, '']];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [node, path] = top;
    if (typeof node === 'string') {
      if (node.includes(NUL)) return path;
    } else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i -= 1) stack.push([node[i], `${path}/${i}`]);
    } else if (typeof node === 'object' && node !== null) {
      const entries = Object.entries(node);
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [key, item] = entries[i] ?? ['', null];
        const segment = key.replaceAll(NUL, '').replace(/~/g, '~0').replace(/\//g, '~1');
        if (key.includes(NUL)) return `${path}/${segment}`;
        stack.push([item, `${path}/${segment}`]);
      }
    }
  }
  return null;
}

/** The 400 for a NUL character at `path` (a JSON pointer into the request). */
export const nulRefused = (path: string) =>
  badRequest(
    'The value contains a NUL character (U+0000), which Careloop cannot store; remove it',
    path,
  );
