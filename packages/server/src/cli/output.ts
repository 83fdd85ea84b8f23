import { CareloopError } from '@careloop/core';
import { loggableError } from '../db/errors.js';

/** Exit codes: 0 done, 1 the command failed, 2 it was called wrongly. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

/** The command line was wrong: unknown command or option, a missing or malformed value. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command failed in a way the operator can act on; the message says how. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

export interface CliIO {
  env: NodeJS.ProcessEnv;
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Where a command's words go. In text mode, lines for people on stdout; with `--json`, stdout
 * carries exactly one JSON object (the result or the error) and everything else is on stderr.
 */
export class Output {
  constructor(
    readonly io: CliIO,
    readonly json: boolean,
  ) {}

  /** A line for people; silent under --json. */
  say(text = ''): void {
    if (!this.json) this.io.stdout.write(`${text}\n`);
  }

  /** A note that is not the result (progress, hints): stderr, in both modes. */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** The command's result: the JSON object under --json, else the text `render` gives. */
  result(value: Record<string, unknown>, render: () => string): void {
    if (this.json) this.io.stdout.write(`${JSON.stringify({ ok: true, ...value })}\n`);
    else this.io.stdout.write(`${render()}\n`);
  }

  /** Reports an error and returns the exit code it deserves. */
  fail(error: unknown): number {
    const usage = error instanceof UsageError;
    const code = usage
      ? 'usage'
      : error instanceof CareloopError
        ? error.problem.code
        : error instanceof CommandError
          ? 'failed'
          : 'internal';
    // An unexpected error may be a database error, whose message quotes patient data.
    const safe = code === 'internal' ? loggableError(error) : null;
    const message =
      safe !== null ? safe.message : error instanceof Error ? error.message : String(error);
    if (this.json) {
      this.io.stdout.write(`${JSON.stringify({ ok: false, error: { code, message } })}\n`);
    } else {
      this.io.stderr.write(`careloop: ${message}\n`);
      if (usage) this.io.stderr.write('Run `careloop --help` for usage.\n');
      if (safe?.stack) {
        this.io.stderr.write(`${safe.stack}\n`);
      }
    }
    return usage ? EXIT.usage : EXIT.failure;
  }
}

export const formatCount = (n: number) => n.toLocaleString('en-US');
