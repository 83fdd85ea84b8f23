import { type DetailAccess, detailAccess, type RestrictionKind } from '@careloop/core';
import { sqlLiteral } from '../../db/client.js';
import { UUID } from '../../db/keyset.js';
import type { Actor } from '../../http/context.js';

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

/** Merges followed at most this deep either way: a bound besides the cycle guard. */
export const MAX_MERGE_DEPTH = 64;

/**
 * The CTEs (after `with recursive`) that give, for each of `ids`, every record of the same
 * person: `family(target, root, id)`. A merge chain is followed up from the target to the record
 * that survives it all (`root`: A merged into B, B into C gives C), then down from that root
 * through every record merged into it, at any depth, while each merge stands. The path arrays
 * stop a cycle (which no merge can make, but a restored or edited table might), and the depth
 * bound any chain longer than a person has records. `up(target, id)` is the way up, and
 * `roots(target, root)` its end. The targets are literal ids, or a query of one uuid column.
 */
export function mergeFamilyCtes(ids: readonly string[] | { from: string }): string {
  const targets =
    'from' in ids
      ? `(${ids.from}) as x(target)`
      : `unnest(array[${ids.map(sqlLiteral).join(', ')}]::uuid[]) as x(target)`;
  return `up(target, id, depth, path) as (
      select x.target, x.target, 0, array[x.target]
        from ${targets}
      union all
      select u.target, m.survivor_id, u.depth + 1, u.path || m.survivor_id
        from up u join patient_merges m on m.merged_id = u.id and m.unmerged_at is null
        where u.depth < ${MAX_MERGE_DEPTH} and m.survivor_id <> all(u.path)),
    roots as (select distinct on (target) target, id as root from up order by target, depth desc),
    family(target, root, id, depth, path) as (
      select target, root, root, 0, array[root] from roots
      union all
      select f.target, f.root, m.merged_id, f.depth + 1, f.path || m.merged_id
        from family f join patient_merges m on m.survivor_id = f.id and m.unmerged_at is null
        where f.depth < ${MAX_MERGE_DEPTH} and m.merged_id <> all(f.path))`;
}

/**
 * The statement that reads, for one user, the restrictions that apply to each of `patientIds`
 * with the user's care-team membership and latest break-glass grant; an unrestricted patient
 * gives no row, a patient may give several. A restriction applies to every record of the same
 * person while the merges that join them stand (`mergeFamilyCtes`): the survivor holds the
 * restricted record's rows, and an old id still opens what is left of a merged record (its
 * demographics, its FHIR resources by their old ids). A care-team membership or grant counts
 * on the record read, on the restricted record and on the record that survives the chain.
 * Values are literals, so it runs through `Database.tenantRead` in one round trip (and inside
 * a transaction through `tx.execute(sql.raw(…))`). Ids that are not UUIDs are left out.
 */
export function factsStatement(userId: string, patientIds: readonly string[]): string | null {
  const ids = [...new Set(patientIds)].filter((id) => UUID.test(id));
  if (ids.length === 0) return null;
  const user = `${sqlLiteral(userId)}::uuid`;
  return `with recursive ${mergeFamilyCtes(ids)}
    select distinct f.target as patient_id, r.kind,
      exists (select 1 from patient_care_team_users t where t.org_id = r.org_id
        and t.patient_id in (f.target, f.root, r.patient_id) and t.user_id = ${user}) as on_team,
      (select max(g.expires_at) from break_glass_grants g where g.org_id = r.org_id
        and g.patient_id in (f.target, f.root, r.patient_id) and g.user_id = ${user})
        as grant_expires_at
    from family f
    join patient_restrictions r on r.cleared_at is null and r.patient_id = f.id`;
}

/** The record each restricted record now lives in (the last survivor of its merge chain). */
export const restrictedRootsStatement = (): string =>
  `with recursive ${mergeFamilyCtes({
    from: 'select patient_id from patient_restrictions where cleared_at is null',
  })}
    select distinct root as id from roots`;

export function factsOf(row: FactsRow): RestrictionFacts {
  return {
    patientId: row.patient_id,
    kind: row.kind,
    onCareTeam: row.on_team,
    grantExpiresAt: row.grant_expires_at === null ? null : new Date(row.grant_expires_at),
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
