import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit event that its hash covers, in a fixed order. */
export interface ChainedFields {
  orgId: string;
  occurredAt: Date;
  actorId: string | null;
  actorEmail: string | null;
  actorRole: string | null;
  action: string;
  patientId: string | null;
  recordType: string;
  recordId: string | null;
  ip: string | null;
  userAgent: string | null;
  outcome: string;
  reason: string | null;
}

/** SHA-256 over the previous event's hash and this event's fields. */
export function chainHash(prevHash: string, e: ChainedFields): string {
  const canonical = JSON.stringify([
    prevHash,
    e.orgId,
    e.occurredAt.toISOString(),
    e.actorId,
    e.actorEmail,
    e.actorRole,
    e.action,
    e.patientId,
    e.recordType,
    e.recordId,
    e.ip,
    e.userAgent,
    e.outcome,
    e.reason,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}
