import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { positiveInteger } from './args.js';
import { finish, fmt } from './report.js';

/** The parts of a V8 `.cpuprofile` (Chrome DevTools format) read here. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

interface FunctionTime {
  name: string;
  selfMs: number;
  totalMs: number;
}

function isCpuProfile(value: unknown): value is CpuProfile {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return Array.isArray(v.nodes) && Array.isArray(v.samples) && Array.isArray(v.timeDeltas);
}

/** A function's name with its file (relative to node_modules or the repository) and line. */
function frameName(frame: CpuProfile['nodes'][number]['callFrame']): string {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  const file = frame.url.replace(/^file:\/\//, '');
  const modules = file.lastIndexOf('node_modules/');
  const short = modules >= 0 ? file.slice(modules + 13) : path.relative(process.cwd(), file);
  return `${name} ${short}:${frame.lineNumber + 1}`;
}

/**
 * Self time (samples whose top frame is the function) and inclusive time (samples with the
 * function anywhere on the stack, counted once) per function, in milliseconds.
 */
export function functionTimes(profile: CpuProfile): FunctionTime[] {
  const parent = new Map<number, number>();
  const byId = new Map<number, CpuProfile['nodes'][number]>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const times = new Map<string, FunctionTime>();
  const timeOf = (name: string) => {
    let time = times.get(name);
    if (!time) {
      time = { name, selfMs: 0, totalMs: 0 };
      times.set(name, time);
    }
    return time;
  };
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const seen = new Set<string>();
    let current: number | undefined = id;
    let top = true;
    while (current !== undefined) {
      const node = byId.get(current);
      if (!node) break;
      const name = frameName(node.callFrame);
      if (top) timeOf(name).selfMs += ms;
      top = false;
      if (!seen.has(name)) {
        seen.add(name);
        timeOf(name).totalMs += ms;
      }
      current = parent.get(current);
    }
  });
  return [...times.values()];
}

/** `bench profile FILE [--top N] [--json]`: where a `.cpuprofile`'s time went, by function. */
export async function cpuProfileSummary(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { top: { type: 'string', default: '40' }, json: { type: 'boolean', default: false } },
  });
  const file = positionals[0];
  if (!file) throw new Error('bench profile FILE: name a .cpuprofile file');
  const top = positiveInteger(values.top, 'top');
  const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (!isCpuProfile(parsed)) throw new Error(`${file} is not a V8 CPU profile`);
  const times = functionTimes(parsed);
  const totalMs = parsed.timeDeltas.reduce((sum, d) => sum + d, 0) / 1000;
  const bySelf = [...times].sort((a, b) => b.selfMs - a.selfMs).slice(0, top);
  const byTotal = [...times].sort((a, b) => b.totalMs - a.totalMs).slice(0, top);
  const row = (t: FunctionTime) =>
    `${fmt(t.selfMs, 1).padStart(9)} ${fmt(t.totalMs, 1).padStart(9)}  ${t.name}`;
  finish(values.json, { totalMs, bySelf, byTotal }, [
    `${file}: ${fmt(totalMs, 1)} ms sampled`,
    '   self ms  total ms  function (by self time)',
    ...bySelf.map(row),
    '',
    '   self ms  total ms  function (by inclusive time)',
    ...byTotal.map(row),
  ]);
}
