import {
  badRequest,
  conflict,
  encodeCursor,
  isRole,
  normalizeEmail,
  notFound,
  type Role,
  type StaffList,
  type StaffQuery,
  type User,
  type UserCreate,
  type UserListQuery,
  type UserUpdate,
  unknownReference,
} from '@careloop/core';
import { and, asc, eq, ilike, isNotNull, isNull, or, sql } from 'drizzle-orm';
import type { Database, Db } from '../../db/client.js';
import { violatedUniqueConstraint } from '../../db/errors.js';
import { decodeKeyset, escapeLike } from '../../db/keyset.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditActor, AuditLog } from '../audit/service.js';
import { practitioners } from '../directory/schema.js';
import { patients } from '../patients/schema.js';
import { assertStrongPassword, generatePassword, hashPassword } from './passwords.js';
import { users } from './schema.js';
import type { AuthService } from './service.js';

/** Who the audit log names for changes made from the command line, outside any session. */
export function cliAuditActor(orgId: string): AuditActor {
  return { orgId, userId: null, email: null, role: null, ip: null, userAgent: 'careloop-cli' };
}

export interface UserPage {
  items: User[];
  nextCursor: string | null;
}

type UserRow = typeof users.$inferSelect;

function toUser(row: UserRow): User {
  if (!isRole(row.role)) throw new Error(`user ${row.id} has an unknown role`);
  return {
    id: row.id,
    email: row.email,
    displayName: row.displayName,
    role: row.role,
    patientId: row.patientId,
    practitionerId: row.practitionerId,
    disabled: row.disabledAt !== null,
    privacyOfficer: row.privacyOfficer,
    createdAt: row.createdAt.toISOString(),
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
    emailVerifiedAt: row.emailVerifiedAt?.toISOString() ?? null,
  };
}

function afterCursor(cursor: string | undefined): { name: string; id: string } | null {
  if (cursor === undefined) return null;
  const [name = '', id = ''] = decodeKeyset(cursor, ['text', 'uuid']);
  return { name, id };
}

/**
 * A patient account reaches exactly one patient record of its own organization; a staff account
 * reaches none. Row-level security makes another organization's patient "not found" here.
 * `path` names the field to blame when it is not the link itself (a role change).
 */
async function checkLinks(
  tx: Db,
  role: Role,
  links: { patientId: string | null; practitionerId: string | null },
  path?: string,
): Promise<void> {
  const fail = (message: string, field: string) => badRequest(message, path ?? `/body/${field}`);
  // Unknown and another organization's records read the same (row-level security): a 422.
  const unknown = (field: 'patientId' | 'practitionerId', what: string) =>
    path ? badRequest(`No ${what} with this id`, path) : unknownReference(field, what);
  if (role !== 'patient') {
    if (links.patientId) throw fail('Staff accounts cannot be linked to a patient', 'patientId');
    if (!links.practitionerId) return;
    const [found] = await tx
      .select({ id: practitioners.id })
      .from(practitioners)
      .where(eq(practitioners.id, links.practitionerId));
    if (!found) throw unknown('practitionerId', 'practitioner');
    return;
  }
  if (!links.patientId) throw fail('A patient account must be linked to a patient', 'patientId');
  if (links.practitionerId) {
    throw fail('A patient account cannot be a practitioner', 'practitionerId');
  }
  const [found] = await tx
    .select({ id: patients.id })
    .from(patients)
    .where(eq(patients.id, links.patientId));
  if (!found) throw unknown('patientId', 'patient');
}

/** Staff and patient accounts of an organization. The only writer of `users`. */
export class UserService {
  constructor(
    readonly database: Database,
    readonly auth: AuthService,
    readonly audit: AuditLog,
  ) {}

  /** Active staff (no patients, no disabled accounts), for choosing who a task goes to. */
  staff(orgId: string, query: StaffQuery): Promise<StaffList> {
    const q = query.q?.trim();
    const pattern = q ? `%${escapeLike(q)}%` : null;
    return this.database.withTenant(orgId, async (tx) => {
      const rows = await tx
        .select({ id: users.id, displayName: users.displayName, role: users.role })
        .from(users)
        .where(
          and(
            isNull(users.disabledAt),
            sql`${users.role} <> 'patient'`,
            pattern
              ? or(ilike(users.displayName, pattern), ilike(users.email, pattern))
              : undefined,
          ),
        )
        .orderBy(asc(users.displayName), asc(users.id))
        .limit(query.limit ?? 50);
      return {
        items: rows.flatMap((r) => (isRole(r.role) ? [{ ...r, role: r.role }] : [])),
      };
    });
  }

  list(orgId: string, query: UserListQuery): Promise<UserPage> {
    const limit = query.limit ?? 25;
    const after = afterCursor(query.cursor);
    const q = query.q?.trim();
    const pattern = q ? `%${escapeLike(q)}%` : null;
    return this.database.withTenant(orgId, async (tx) => {
      const rows = await tx
        .select()
        .from(users)
        .where(
          and(
            pattern
              ? or(ilike(users.displayName, pattern), ilike(users.email, pattern))
              : undefined,
            query.role ? eq(users.role, query.role) : undefined,
            query.disabled === undefined
              ? undefined
              : query.disabled
                ? isNotNull(users.disabledAt)
                : isNull(users.disabledAt),
            after
              ? sql`(${users.displayName}, ${users.id}) > (${after.name}, ${after.id}::uuid)`
              : undefined,
          ),
        )
        .orderBy(asc(users.displayName), asc(users.id))
        .limit(limit + 1);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        items: page.map(toUser),
        nextCursor: rows.length > limit && last ? encodeCursor([last.displayName, last.id]) : null,
      };
    });
  }

  /**
   * Names an admin a privacy officer (or no longer): they receive a review task for each
   * break-glass access to a restricted record (docs/restricted-records.md). Admins only.
   */
  async setPrivacyOfficer(
    orgId: string,
    userId: string,
    on: boolean,
    actor: AuditActor = cliAuditActor(orgId),
  ): Promise<void> {
    await this.database.withTenant(orgId, async (tx) => {
      const [current] = await tx
        .select({ role: users.role })
        .from(users)
        .where(eq(users.id, userId));
      if (!current) throw notFound('User');
      if (on && current.role !== 'admin') {
        throw badRequest('Only an admin can be a privacy officer', '/body/privacyOfficer');
      }
      await tx.update(users).set({ privacyOfficer: on }).where(eq(users.id, userId));
      await this.audit.inTransaction(tx, actor, {
        action: 'update',
        recordType: 'user',
        recordId: userId,
        reason: on ? 'named privacy officer' : 'no longer privacy officer',
      });
    });
  }

  /**
   * Creates an account. Without a password one is generated and returned once, for the admin
   * to hand over; only its hash is stored. Without `actor` (the CLI) the audit names the CLI.
   */
  async create(
    orgId: string,
    input: UserCreate,
    actor: AuditActor = cliAuditActor(orgId),
  ): Promise<{ user: User; generatedPassword: string | null }> {
    const email = normalizeEmail(input.email);
    if (!email) throw badRequest('Enter a valid email address', '/body/email');
    const displayName = input.displayName.trim();
    if (!displayName) throw badRequest('Display name is required', '/body/displayName');
    if (input.password !== undefined) {
      assertStrongPassword(input.password, '/body/password', [email, displayName]);
    }
    const password = input.password ?? generatePassword();
    const generatedPassword = input.password === undefined ? password : null;
    const passwordHash = await hashPassword(password);
    const links = {
      patientId: input.patientId ?? null,
      practitionerId: input.practitionerId ?? null,
    };
    try {
      const user = await this.database.withTenant(orgId, async (tx) => {
        await checkLinks(tx, input.role, links);
        const [row] = await tx
          .insert(users)
          .values({ orgId, email, displayName, role: input.role, passwordHash, ...links })
          .returning();
        if (!row) throw new Error('user insert returned no row');
        await this.audit.inTransaction(tx, actor, {
          action: 'create',
          recordType: 'user',
          recordId: row.id,
          patientId: row.patientId,
        });
        return toUser(row);
      });
      return { user, generatedPassword };
    } catch (error) {
      // Emails are unique across the installation: the clash may be in another organization.
      if (violatedUniqueConstraint(error) === 'users_email_key')
        throw conflict('This email is already in use', '/body/email');
      throw error;
    }
  }

  /**
   * Changes an account. Disabling it, changing its role or resetting its password ends every
   * session it has open, in the same transaction, so a demoted user keeps no old powers.
   */
  async update(ctx: RequestContext, id: string, input: UserUpdate): Promise<User> {
    const self = id === ctx.actor.userId;
    if (self && input.disabled === true) {
      throw badRequest('You cannot disable your own account', '/body/disabled');
    }
    if (self && input.role !== undefined && input.role !== ctx.actor.role) {
      throw badRequest('You cannot change your own role', '/body/role');
    }
    const displayName = input.displayName?.trim();
    if (displayName === '') throw badRequest('Display name is required', '/body/displayName');
    if (input.password !== undefined) {
      assertStrongPassword(input.password, '/body/password', displayName ? [displayName] : []);
    }
    const passwordHash =
      input.password === undefined ? undefined : await hashPassword(input.password);

    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [current] = await tx.select().from(users).where(eq(users.id, id));
      if (!current) throw notFound('User');
      const roleChanged = input.role !== undefined && input.role !== current.role;
      if (input.role !== undefined && roleChanged) {
        const links = { patientId: current.patientId, practitionerId: current.practitionerId };
        await checkLinks(tx, input.role, links, '/body/role');
      }
      const disabledAt =
        input.disabled === undefined
          ? undefined
          : input.disabled
            ? (current.disabledAt ?? new Date())
            : null;
      // A privacy officer is an admin: another role ends it (users_privacy_officer_check).
      const role = input.role ?? current.role;
      if (input.privacyOfficer === true && role !== 'admin') {
        throw badRequest('Only an admin can be a privacy officer', '/body/privacyOfficer');
      }
      const privacyOfficer =
        role !== 'admin' ? (roleChanged ? false : undefined) : input.privacyOfficer;
      const changes = { displayName, role: input.role, disabledAt, passwordHash, privacyOfficer };
      const nothing = Object.values(changes).every((v) => v === undefined);
      const [row] = nothing
        ? [current]
        : await tx.update(users).set(changes).where(eq(users.id, id)).returning();
      if (!row) throw notFound('User');
      const revoke = roleChanged || input.disabled === true || passwordHash !== undefined;
      if (revoke) await this.auth.revokeUserSessions(tx, id);
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'user',
        recordId: id,
        patientId: row.patientId,
        reason: changeSummary(input, roleChanged, revoke),
      });
      return toUser(row);
    });
  }
}

/** Names what changed, never the values: a password must not reach the audit log. */
function changeSummary(input: UserUpdate, roleChanged: boolean, revoked: boolean): string {
  const changed = [
    input.displayName !== undefined ? 'displayName' : null,
    roleChanged ? `role to ${input.role}` : null,
    input.disabled === undefined ? null : input.disabled ? 'disabled' : 'enabled',
    input.password !== undefined ? 'password reset' : null,
    input.privacyOfficer === undefined
      ? null
      : input.privacyOfficer
        ? 'named privacy officer'
        : 'no longer privacy officer',
  ].filter((c): c is string => c !== null);
  const summary = changed.length > 0 ? changed.join(', ') : 'no change';
  return revoked ? `${summary}; sessions revoked` : summary;
}
