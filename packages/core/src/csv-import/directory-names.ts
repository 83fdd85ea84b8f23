import { searchableName } from '../patients/search.js';

/** A directory entry an appointment row may name. */
export interface NamedEntry {
  id: string;
  /** Every way a row may name it: a service's name and code, a practitioner's name and NPI. */
  names: readonly string[];
}

const TITLES = /^(dr|doctor|prof|mr|mrs|ms|miss)\.?\s+/i;
const SUFFIXES = /,?\s+(md|do|np|pa|pa-c|rn|dds|dmd|phd|fnp|aprn|jr|sr)\.?$/i;

/** A person's or a place's name in one spelling: no titles or degrees, `Smith, Jane` as `jane smith`. */
export function directoryKey(name: string): string {
  let text = name.trim();
  for (let i = 0; i < 3; i++) text = text.replace(TITLES, '').replace(SUFFIXES, '').trim();
  const comma = /^([^,]+),\s*(.+)$/.exec(text);
  if (comma) text = `${comma[2]} ${comma[1]}`;
  return searchableName(text);
}

/**
 * Finds directory entries by name. `find` answers the one entry a name means, `ambiguous`
 * when two share it (two practitioners named John Smith), or null when none does.
 */
export class DirectoryIndex {
  private readonly byKey = new Map<string, Set<string>>();

  constructor(entries: readonly NamedEntry[]) {
    for (const e of entries) {
      for (const name of e.names) {
        const key = directoryKey(name);
        if (key === '') continue;
        const ids = this.byKey.get(key) ?? new Set<string>();
        ids.add(e.id);
        this.byKey.set(key, ids);
      }
    }
  }

  find(name: string): string | 'ambiguous' | null {
    const ids = this.byKey.get(directoryKey(name));
    if (!ids || ids.size === 0) return null;
    if (ids.size > 1) return 'ambiguous';
    return [...ids][0] ?? null;
  }
}
