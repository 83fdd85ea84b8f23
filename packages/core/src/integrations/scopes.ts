import type { Permission } from '../auth/permissions.js';

/**
 * SMART App Launch v2 system scopes (`system/Patient.rs`, `system/*.rs`) and what a client's
 * grant lets it reach. Pure: the token endpoint checks requested scopes with it, the security
 * hook checks every request of a bearer with it.
 */

/** The interactions of a SMART v2 scope: create, read, update, delete, search. */
export type ScopeInteraction = 'c' | 'r' | 'u' | 'd' | 's';

/** The resource types Careloop serves to API clients (FHIR R4 names). */
export const CLIENT_RESOURCE_TYPES = [
  'Patient',
  'Appointment',
  'Encounter',
  'Condition',
  'Communication',
] as const;
export type ClientResourceType = (typeof CLIENT_RESOURCE_TYPES)[number];

/**
 * What a client may be granted in this version: reading and searching. Writers attribute their
 * changes to a user; a client writing is a later step (docs/adr/0029).
 */
export const GRANTABLE_INTERACTIONS: readonly ScopeInteraction[] = ['r', 's'];

export interface SystemScope {
  /** A resource type, or `*` for every type Careloop serves. */
  resource: ClientResourceType | '*';
  interactions: ReadonlySet<ScopeInteraction>;
}

const ORDER = 'cruds';
const V1 = { read: 'rs', write: 'cud', '*': 'cruds' } as const;

/**
 * Parses one scope, or null when it is not a system scope Careloop knows. v2 letters must keep
 * the order c, r, u, d, s (SMART v2); the v1 forms `.read`, `.write` and `.*` are accepted.
 */
export function parseSystemScope(scope: string): SystemScope | null {
  const match = /^system\/([A-Za-z]+|\*)\.([a-z*]+)$/.exec(scope);
  if (!match) return null;
  const [, resource = '', perms = ''] = match;
  if (resource !== '*' && !(CLIENT_RESOURCE_TYPES as readonly string[]).includes(resource)) {
    return null;
  }
  const letters = perms in V1 ? V1[perms as keyof typeof V1] : perms;
  let last = -1;
  const interactions = new Set<ScopeInteraction>();
  for (const letter of letters) {
    const at = ORDER.indexOf(letter);
    if (at <= last) return null;
    last = at;
    interactions.add(letter as ScopeInteraction);
  }
  return { resource: resource as SystemScope['resource'], interactions };
}

/** Whether `scopes` let a client do `interaction` on `resource`. */
export function scopesAllow(
  scopes: readonly string[],
  resource: ClientResourceType,
  interaction: ScopeInteraction,
): boolean {
  return scopes.some((s) => {
    const parsed = parseSystemScope(s);
    return (
      parsed !== null &&
      (parsed.resource === '*' || parsed.resource === resource) &&
      parsed.interactions.has(interaction)
    );
  });
}

/** Why a scope cannot be registered for a client, or null when it can. */
export function scopeRefusal(scope: string): string | null {
  const parsed = parseSystemScope(scope);
  if (!parsed) {
    return `${scope} is not a SMART v2 system scope on ${CLIENT_RESOURCE_TYPES.join(', ')} (e.g. system/Patient.rs)`;
  }
  for (const i of parsed.interactions) {
    if (!GRANTABLE_INTERACTIONS.includes(i)) {
      return `${scope}: API clients may read and search only (r, s)`;
    }
  }
  return null;
}

/**
 * The scopes a token gets: those requested that the client holds, or all the client holds when
 * it asked for none. A requested scope the client does not hold makes the request fail
 * (`invalid_scope`), rather than silently narrowing it.
 */
export function grantedScopes(
  held: readonly string[],
  requested: string | undefined,
): { granted: string[] } | { refused: string } {
  if (requested === undefined || requested.trim() === '') return { granted: [...held] };
  const asked = [...new Set(requested.trim().split(/\s+/))];
  for (const scope of asked) {
    const parsed = parseSystemScope(scope);
    if (!parsed) return { refused: scope };
    const covered = [...parsed.interactions].every((i) =>
      parsed.resource === '*'
        ? CLIENT_RESOURCE_TYPES.every((r) => scopesAllow(held, r, i))
        : scopesAllow(held, parsed.resource, i),
    );
    if (!covered) return { refused: scope };
  }
  return { granted: asked };
}

/** One need of a request: an interaction on a resource type. */
export interface ScopeNeed {
  resource: ClientResourceType;
  interaction: ScopeInteraction;
}

/** `/api` permissions a client can hold, and the resource type each one is about. */
const API_PERMISSION_RESOURCE: Partial<Record<Permission, ClientResourceType>> = {
  'patient:read': 'Patient',
  'patient:write': 'Patient',
  'schedule:read': 'Appointment',
  'appointment:write': 'Appointment',
};

function interactionOf(method: string, routeUrl: string): ScopeInteraction | null {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return /\/:[A-Za-z]+(\/|$)/.test(routeUrl) ? 'r' : 's';
    case 'POST':
      return 'c';
    case 'PUT':
    case 'PATCH':
      return 'u';
    case 'DELETE':
      return 'd';
    default:
      return null;
  }
}

/**
 * What a client's token must grant to reach a route (its method and registered URL pattern,
 * `/fhir/R4/Patient/:id`, and its declared permission); null when no scope reaches it (the
 * console's own routes, imports, administration). A request needing several types needs each.
 */
export function scopeNeeds(
  method: string,
  routeUrl: string,
  permission: Permission,
): ScopeNeed[] | null {
  const interaction = interactionOf(method, routeUrl);
  if (!interaction) return null;
  const fhir = /^\/fhir\/R4\/([A-Za-z]+)(\/.*)?$/.exec(routeUrl);
  if (fhir) {
    const [, type = '', rest = ''] = fhir;
    if (!(CLIENT_RESOURCE_TYPES as readonly string[]).includes(type)) return null;
    // $everything reads every type of the patient's record.
    if (rest.endsWith('/$everything')) {
      return CLIENT_RESOURCE_TYPES.map((resource) => ({ resource, interaction: 'r' as const }));
    }
    return [{ resource: type as ClientResourceType, interaction }];
  }
  if (!routeUrl.startsWith('/api/')) return null;
  const resource = API_PERMISSION_RESOURCE[permission];
  return resource ? [{ resource, interaction }] : null;
}

/** Whether `scopes` cover every need (false for a route no scope reaches). */
export function scopesCover(scopes: readonly string[], needs: ScopeNeed[] | null): boolean {
  return needs?.every((n) => scopesAllow(scopes, n.resource, n.interaction)) ?? false;
}
