/** The five delimiters a message declares in MSH-1 and MSH-2. */
export interface Delimiters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}

export const DEFAULT_DELIMITERS: Delimiters = {
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
};

/** Longest escape sequence honoured; a longer run between escape characters is kept as text. */
const MAX_SEQUENCE = 256;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** `\Xhh…\`: bytes in hex, read as UTF-8 when they are valid UTF-8, else one byte a character. */
function hexText(hex: string): string | null {
  if (hex.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) return null;
  const bytes = Buffer.from(hex, 'hex');
  try {
    return utf8.decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

function sequence(code: string, d: Delimiters): string | null {
  switch (code) {
    case 'F':
      return d.field;
    case 'S':
      return d.component;
    case 'T':
      return d.subcomponent;
    case 'R':
      return d.repetition;
    case 'E':
      return d.escape;
    case 'H':
    case 'N':
      // Highlighting on and off: a display hint, not text.
      return '';
    case '.br':
      return '\n';
  }
  const kind = code.charAt(0);
  if (kind === 'X') return hexText(code.slice(1));
  // Character-set switches (C, M) and locally defined escapes (Z) carry no text of their own.
  if (kind === 'C' || kind === 'M' || kind === 'Z') return '';
  if (code.startsWith('.')) return ''; // other formatting commands (.sp, .in, .ce…)
  return null;
}

/**
 * Decodes HL7 escape sequences (`\F\`, `\S\`, `\T\`, `\R\`, `\E\`, `\Xhh…\`, `\.br\`) in one
 * value. Linear in the input; an unknown or unterminated sequence is kept as it was.
 */
export function unescapeHl7(value: string, d: Delimiters): string {
  const esc = d.escape;
  if (!esc || !value.includes(esc)) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const start = value.indexOf(esc, i);
    if (start < 0) {
      out += value.slice(i);
      break;
    }
    out += value.slice(i, start);
    const end = value.indexOf(esc, start + 1);
    if (end < 0 || end - start - 1 > MAX_SEQUENCE) {
      out += esc;
      i = start + 1;
      continue;
    }
    const decoded = sequence(value.slice(start + 1, end), d);
    if (decoded === null) {
      out += value.slice(start, end + 1);
    } else {
      out += decoded;
    }
    i = end + 1;
  }
  return out;
}

/** Encodes text so that it can sit in one component of a message with these delimiters. */
export function escapeHl7(text: string, d: Delimiters): string {
  const map = new Map<string, string>([
    [d.escape, 'E'],
    [d.field, 'F'],
    [d.component, 'S'],
    [d.subcomponent, 'T'],
    [d.repetition, 'R'],
  ]);
  let out = '';
  for (const ch of text) {
    const code = map.get(ch);
    if (code) out += `${d.escape}${code}${d.escape}`;
    else if (ch === '\r' || ch === '\n') out += ' ';
    else out += ch;
  }
  return out;
}
