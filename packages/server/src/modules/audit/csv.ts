import type { AuditEvent } from '@careloop/core';

/** The audit log as CSV (RFC 4180): one line per event, every field quoted. */
const COLUMNS: [string, (e: AuditEvent) => string | null][] = [
  ['seq', (e) => e.id],
  ['occurred_at', (e) => e.occurredAt],
  ['actor_email', (e) => e.actorEmail],
  ['actor_role', (e) => e.actorRole],
  ['action', (e) => e.action],
  ['outcome', (e) => e.outcome],
  ['record_type', (e) => e.recordType],
  ['record_id', (e) => e.recordId],
  ['patient_id', (e) => e.patientId],
  ['patient_name', (e) => (e.patientRestricted ? 'Restricted patient' : (e.patientName ?? null))],
  ['reason', (e) => e.reason],
  ['ip', (e) => e.ip],
  ['user_agent', (e) => e.userAgent],
];

/**
 * A field as a spreadsheet will read it: quoted, quotes doubled, and a leading `=`, `+`, `-`,
 * `@`, tab or carriage return neutralized with a `'`, so that a user agent or a reason cannot
 * become a formula when the file is opened (CSV injection).
 */
export function csvField(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return `"${safe.replaceAll('"', '""')}"`;
}

export function auditCsvHeader(): string {
  return `${COLUMNS.map(([name]) => name).join(',')}\r\n`;
}

export function auditCsvRow(event: AuditEvent): string {
  return `${COLUMNS.map(([, get]) => csvField(get(event))).join(',')}\r\n`;
}
