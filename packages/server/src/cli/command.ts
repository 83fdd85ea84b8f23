import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config.js';
import { type CliIO, type Output, UsageError } from './output.js';

export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  values: OptionValues;
  out: Output;
  config: Config;
  io: CliIO;
}

/** One `careloop` command: its words, its options, and what it does. */
export interface Command {
  /** The words that name it: `seed`, `user add`. */
  name: string;
  summary: string;
  /** Usage line and option descriptions, as `--help` shows them. */
  help: string;
  options: OptionSpecs;
  /** Resolves to the exit code (0 when omitted). */
  run(ctx: CommandContext): Promise<number | undefined>;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new UsageError(`--${name} needs a value`);
  return value;
}

export function requiredString(values: OptionValues, name: string): string {
  const value = stringOption(values, name);
  if (value === undefined || value.trim() === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function integerOption(
  values: OptionValues,
  name: string,
  fallback: number,
  range: { min: number; max?: number } = { min: 0 },
): number {
  const raw = stringOption(values, name);
  if (raw === undefined) return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < range.min || (range.max !== undefined && n > range.max)) {
    const bounds = range.max === undefined ? `at least ${range.min}` : `${range.min}–${range.max}`;
    throw new UsageError(`--${name} must be a whole number ${bounds}, got "${raw}"`);
  }
  return n;
}
