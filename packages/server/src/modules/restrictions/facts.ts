import { type DetailAccess, detailAccess, type RestrictionKind } from '@careloop/core';
import { sqlLiteral } from '../../db/client.js';
import { UUID } from '../../db/keyset.js';
import type { Actor } from '../../http/context.js';
import { toIso } from '../patients/read-model.js';

/** One restricted patient as the access rule sees it for one user. */
export interface RestrictionFacts {
  patientId: string;
  kind: RestrictionKind;
  onCareTeam: boolean;
  grantExpiresAt: Date | null;
}

export interface FactsRow {
  patient_id: string;
  kind: RestrictionKind;
  on_team: boolean;
  grant_expires_at: string | Date | null;
}

/**
 * The statement that reads, for one user, the restrictions that apply to each of `patientIds`
 * with the user's care-team membership and latest break-glass grant; an unrestricted patient
 * gives no row, a patient may give several. A restriction applies to its own record and, while
 * a merge stands, to the record it was merged into: the survivor holds the restricted record's
 * rows, so its care team and grants count on either record. Values are literals, so it runs
 * through `Database.tenantRead` in one round trip (and inside a transaction through
 * `tx.execute(sql.raw(…))`). Ids that are not UUIDs are left out.
 */
export function factsStatement(userId: string, patientIds: readonly string[]): string | null {
  const ids = [...new Set(patientIds)].filter((id) => UUID.test(id));
  if (ids.length === 0) return null;
  const user = `${sqlLiteral(userId)}::uuid`;
  return `select x.target as patient_id, r.kind,
      exists (select 1 from patient_care_team_users t where t.org_id = r.org_id
        and t.patient_id in (x.target, r.patient_id) and t.user_id = ${user}) as on_team,
      (select max(g.expires_at) from break_glass_grants g where g.org_id = r.org_id
        and g.patient_id in (x.target, r.patient_id) and g.user_id = ${user}) as grant_expires_at
    from unnest(array[${ids.map(sqlLiteral).join(', ')}]::uuid[]) as x(target)
    join patient_restrictions r on r.cleared_at is null
      and (r.patient_id = x.target or r.patient_id in (select m.merged_id from patient_merges m
        where m.survivor_id = x.target and m.unmerged_at is null))`;
}

export function factsOf(row: FactsRow): RestrictionFacts {
  return {
    patientId: row.patient_id,
    kind: row.kind,
    onCareTeam: row.on_team,
    grantExpiresAt: row.grant_expires_at === null ? null : new Date(toIso(row.grant_expires_at)),
  };
}

/** The access rule (core) applied to what the database said; no row: an ordinary record. */
export function accessOf(
  actor: Actor,
  facts: RestrictionFacts | undefined,
  asOf: Date,
): DetailAccess {
  return detailAccess({
    role: actor.role,
    restriction: facts?.kind ?? null,
    onCareTeam: facts?.onCareTeam ?? false,
    grantExpiresAt: facts?.grantExpiresAt ?? null,
    asOf,
  });
}

/**
 * One patient's access when several restrictions apply (its own and a merged record's): the
 * most closed one wins.
 */
export function combinedAccess(
  actor: Actor,
  facts: readonly RestrictionFacts[],
  asOf: Date,
): { access: DetailAccess; kind: RestrictionKind | null } {
  const all = facts.map((f) => ({ access: accessOf(actor, f, asOf), kind: f.kind }));
  const closed = all.find((a) => a.access.kind === 'restricted');
  return closed ?? all[0] ?? { access: accessOf(actor, undefined, asOf), kind: null };
}
