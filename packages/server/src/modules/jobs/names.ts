import { type Static, Type } from 'typebox';
import { Compile } from 'typebox/compile';

const Uuid = Type.String({ format: 'uuid' });

/**
 * Every job Careloop runs, with the schema of its payload. A payload is input like any other:
 * checked when it is sent and again when a worker takes it (a row of the job table may have
 * been written by another version, or by hand).
 */
export const JOBS = {
  /** Send one outbox message (docs/adr/0020). */
  'outbox.send': Type.Object({ orgId: Uuid, messageId: Uuid }, { additionalProperties: false }),
  // Issue 12 (KPIs): the rollup refresh (docs/adr/0028).
  /** Recompute one organization's KPI rollup: the given days, else the trailing window. */
  'kpis.refresh': Type.Object(
    {
      orgId: Uuid,
      from: Type.Optional(Type.String({ format: 'date' })),
      to: Type.Optional(Type.String({ format: 'date' })),
    },
    { additionalProperties: false },
  ),
  /** Recompute every organization's trailing window: scheduled nightly. */
  'kpis.refresh-all': Type.Object({}, { additionalProperties: false }),
} as const;

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = Static<(typeof JOBS)[N]>;

export const JOB_NAMES = Object.keys(JOBS) as JobName[];

const checkers = Object.fromEntries(JOB_NAMES.map((name) => [name, Compile(JOBS[name])])) as Record<
  JobName,
  ReturnType<typeof Compile>
>;

/** The payload if it matches its job's schema, else null. */
export function checkPayload<N extends JobName>(name: N, data: unknown): JobPayload<N> | null {
  return checkers[name].Check(data) ? (data as JobPayload<N>) : null;
}
