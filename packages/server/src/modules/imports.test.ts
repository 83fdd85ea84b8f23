import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The import graph of packages/server/src and packages/core/src, read from the source with a
 * regular expression (TypeScript 7 has no compiler API): every relative `import … from`,
 * `import type … from`, `export … from`, side-effect `import '…'` and `import('…')`.
 *
 * 1. No import circles, type-only included: a circle means neither side can be read, tested or
 *    moved without the other (issue 10 §2).
 * 2. Nor between the subfolders of a module (hl7/parse, hl7/batch, fhir/import…): each module's
 *    folders depend one way, as its README draws them. Files at a module's top (its service,
 *    routes, schema, API types) may import and be imported by any of its folders.
 * 3. No production file imports test support (a `test/` folder, `*.test.ts`): test helpers such
 *    as the MLLP client stay out of what ships.
 */

const SERVER_SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CORE_SRC = resolve(SERVER_SRC, '../../core/src');
const ROOT = resolve(SERVER_SRC, '../../..');

const SPECIFIERS =
  /\b(?:import|export)\s+(?:type\s+)?(?:[\w*\s,]*?\{[^}]*\}|[\w*\s,]+?)\s*from\s*'(\.[^']+)'|\bimport\s*'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/g;

/** The relative files `text` (the file at `file`, relative to the repository) imports. */
export function importsIn(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SPECIFIERS)) {
    const specifier = m[1] ?? m[2] ?? m[3];
    if (!specifier) continue;
    const target = join(dirname(file), specifier).replace(/\.js$/, '.ts');
    out.push(target.split('\\').join('/'));
  }
  return out;
}

/** Each file's imports of files in the graph: `file → targets`. */
export function importGraph(files: ReadonlyMap<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [file, text] of files) {
    const targets = importsIn(file, text).flatMap((t) => {
      if (files.has(t)) return [t];
      const tsx = t.replace(/\.ts$/, '.tsx');
      return files.has(tsx) ? [tsx] : [];
    });
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/**
 * The import circles: strongly connected components of more than one file, or a file that
 * imports itself (Tarjan's algorithm, iterative), each sorted, the list sorted.
 */
export function importCircles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const circles: string[][] = [];
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next);
    next += 1;
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (!frame) break;
      const edges = graph.get(frame.node) ?? [];
      const target = edges[frame.edge];
      if (target !== undefined) {
        frame.edge += 1;
        if (!index.has(target)) {
          index.set(target, next);
          low.set(target, next);
          next += 1;
          stack.push(target);
          onStack.add(target);
          work.push({ node: target, edge: 0 });
        } else if (onStack.has(target)) {
          low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(target) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) {
        low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      }
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      for (;;) {
        const member = stack.pop();
        if (member === undefined) break;
        onStack.delete(member);
        component.push(member);
        if (member === frame.node) break;
      }
      const selfImport = edges.includes(frame.node);
      if (component.length > 1 || selfImport) circles.push(component.sort());
    }
  }
  return circles.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? '', 'en'));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function readSources(): Map<string, string> {
  const files = new Map<string, string>();
  for (const path of [...sourceFiles(SERVER_SRC), ...sourceFiles(CORE_SRC)]) {
    files.set(relative(ROOT, path).split('\\').join('/'), readFileSync(path, 'utf8'));
  }
  return files;
}

const MODULE_FOLDER = /^packages\/server\/src\/modules\/([^/]+\/[^/]+)\//;

/** The graph of the modules' subfolders: `hl7/batch → hl7/parse`, within one module only. */
export function folderGraph(graph: ReadonlyMap<string, readonly string[]>): Map<string, string[]> {
  const folders = new Map<string, Set<string>>();
  for (const [file, targets] of graph) {
    const from = MODULE_FOLDER.exec(file)?.[1];
    if (!from) continue;
    const edges = folders.get(from) ?? new Set<string>();
    folders.set(from, edges);
    for (const target of targets) {
      const to = MODULE_FOLDER.exec(target)?.[1];
      if (to && to !== from && to.split('/')[0] === from.split('/')[0]) edges.add(to);
    }
  }
  return new Map([...folders].map(([folder, edges]) => [folder, [...edges]]));
}

const isTestSupport = (file: string) => /\/test\//.test(file) || /\.test\.tsx?$/.test(file);

describe('import graph', () => {
  const files = readSources();
  const graph = importGraph(files);

  it('reads the graph it checks (a check that finds nothing proves nothing)', () => {
    expect(graph.get('packages/server/src/app.ts')).toContain('packages/server/src/services.ts');
    const core = [...graph.keys()].filter((f) => f.startsWith('packages/core/src/'));
    expect(core.length).toBeGreaterThan(20);
  });

  it('finds a circle, type-only and re-exports included, and none in a straight line', () => {
    const fixture = new Map([
      ['src/a.ts', "import { b } from './b.js';\nexport const a = b;"],
      ['src/b.ts', "import type {\n  C,\n} from './dir/c.js';\nexport const b = 1;"],
      ['src/dir/c.ts', "export * from '../a.js';\nexport type C = number;"],
      ['src/d.ts', "import { a } from './a.js';\nimport './self.js';"],
      ['src/self.ts', "export { self } from './self.js';"],
      ['src/e.ts', "const f = await import('./f.js');"],
      ['src/f.ts', 'export const f = 1;'],
    ]);
    expect(importCircles(importGraph(fixture))).toEqual([
      ['src/a.ts', 'src/b.ts', 'src/dir/c.ts'],
      ['src/self.ts'],
    ]);
    fixture.set('src/dir/c.ts', 'export type C = number;');
    fixture.set('src/self.ts', 'export const self = 1;');
    expect(importCircles(importGraph(fixture))).toEqual([]);
    expect(importGraph(fixture).get('src/e.ts')).toEqual(['src/f.ts']);
  });

  it('has no import circle in packages/server/src or packages/core/src', () => {
    expect(importCircles(graph)).toEqual([]);
  });

  it('finds a circle between the folders of a module, and none across modules', () => {
    const fixture = new Map([
      ['packages/server/src/modules/m/a/x.ts', "import type { Y } from '../b/y.js';"],
      ['packages/server/src/modules/m/b/y.ts', "import { z } from '../../n/c/z.js';"],
      ['packages/server/src/modules/n/c/z.ts', "import { x } from '../../m/a/x.js';"],
      ['packages/server/src/modules/m/service.ts', "import { x } from './a/x.js';"],
    ]);
    expect(importCircles(folderGraph(importGraph(fixture)))).toEqual([]);
    fixture.set('packages/server/src/modules/m/b/w.ts', "import { x } from '../a/x.js';");
    expect(importCircles(folderGraph(importGraph(fixture)))).toEqual([['m/a', 'm/b']]);
  });

  it('has no import circle between the subfolders of a module', () => {
    expect(folderGraph(graph).get('hl7/handlers')).toContain('hl7/batch');
    expect(importCircles(folderGraph(graph))).toEqual([]);
  });

  it('lets no production file import test support (test/ folders, *.test.ts)', () => {
    const breaches = [...graph]
      .filter(([file]) => !isTestSupport(file))
      .flatMap(([file, targets]) => targets.filter(isTestSupport).map((t) => `${file} → ${t}`));
    expect(breaches).toEqual([]);
  });
});
