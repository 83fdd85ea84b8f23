import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { rowsOf } from '../db/rows.js';
import { type AuditActor, appendAudit, auditFields } from '../modules/audit/service.js';
import {
  appointmentCancelReasonAad,
  appointmentReasonAad,
  attachmentDataAad,
  attachmentNameAad,
  breakGlassReasonAad,
  callNoteAad,
  conversationBodyAad,
  coverageCardAad,
  emergencyContactAad,
  encounterReasonAad,
  fhirResourceAad,
  hl7RawAad,
  inboundBodyAad,
  noteBodyAad,
  outboundAttachmentAad,
  outboundHtmlAad,
  outboundSubjectAad,
  outboundTextAad,
  questionnaireAnswersAad,
  surveyCommentAad,
  taskDescriptionAad,
  totpSecretAad,
  webhookPreviousSecretAad,
  webhookSecretAad,
} from './encrypted-fields.js';
import { DecryptionError, type FieldAad, type FieldCipher } from './field-cipher.js';

/** A candidate row as the page query returns it. */
interface RotationRow {
  id: string;
  org_id: string;
  sealed: string | null;
  plain: string | null;
  k1: string | null;
  k2: string | null;
  k3: string | null;
}

/**
 * One encrypted column: its table, the plain column it replaced (rows written before the
 * column was encrypted keep their value there until rotated), and how its values are bound.
 */
export interface EncryptedColumn {
  table: string;
  column: string;
  /** The older plain column, emptied once its value is sealed; null when there was none. */
  plain: string | null;
  /** Up to three more columns the associated data needs (k1…k3). */
  keys: readonly string[];
  aad(row: RotationRow): FieldAad;
}

/** Every encrypted column (docs/encryption.md). Identifiers here are constants, never input. */
export const ENCRYPTED_COLUMNS: readonly EncryptedColumn[] = [
  {
    table: 'notes',
    column: 'body_encrypted',
    plain: null,
    keys: [],
    aad: (r) => noteBodyAad(r.id, r.org_id),
  },
  {
    table: 'hl7_messages',
    column: 'raw_encrypted',
    plain: null,
    keys: [],
    aad: (r) => hl7RawAad(r.id, r.org_id),
  },
  {
    table: 'tasks',
    column: 'description_encrypted',
    plain: 'description',
    keys: [],
    aad: (r) => taskDescriptionAad(r.id, r.org_id),
  },
  {
    table: 'appointments',
    column: 'reason_encrypted',
    plain: 'reason',
    keys: [],
    aad: (r) => appointmentReasonAad(r.id, r.org_id),
  },
  {
    table: 'encounters',
    column: 'reason_encrypted',
    plain: 'reason',
    keys: [],
    aad: (r) => encounterReasonAad(r.id, r.org_id),
  },
  {
    // The plain column is JSONB: its text form is sealed, and read back with JSON.parse.
    table: 'questionnaire_responses',
    column: 'answers_encrypted',
    plain: 'answers',
    keys: [],
    aad: (r) => questionnaireAnswersAad(r.id, r.org_id),
  },
  {
    table: 'users',
    column: 'totp_secret',
    plain: null,
    keys: [],
    aad: (r) => totpSecretAad(r.id, r.org_id),
  },
  {
    table: 'users',
    column: 'totp_pending_secret',
    plain: null,
    keys: [],
    aad: (r) => totpSecretAad(r.id, r.org_id),
  },
  {
    table: 'break_glass_grants',
    column: 'reason',
    plain: null,
    keys: [],
    aad: (r) => breakGlassReasonAad(r.id, r.org_id),
  },
  {
    table: 'outbound_messages',
    column: 'subject_encrypted',
    plain: null,
    keys: [],
    aad: (r) => outboundSubjectAad(r.id, r.org_id),
  },
  {
    table: 'outbound_messages',
    column: 'text_encrypted',
    plain: null,
    keys: [],
    aad: (r) => outboundTextAad(r.id, r.org_id),
  },
  {
    table: 'outbound_messages',
    column: 'html_encrypted',
    plain: null,
    keys: [],
    aad: (r) => outboundHtmlAad(r.id, r.org_id),
  },
  // Issue 13 (h13a): a confirmation's .ics.
  {
    table: 'outbound_messages',
    column: 'attachment_encrypted',
    plain: null,
    keys: [],
    aad: (r) => outboundAttachmentAad(r.id, r.org_id),
  },
  {
    table: 'fhir_source_records',
    column: 'resource_encrypted',
    plain: 'resource',
    keys: ['source_system', 'resource_type', 'source_id'],
    aad: (r) =>
      fhirResourceAad(
        { sourceSystem: r.k1 ?? '', resourceType: r.k2 ?? '', sourceId: r.k3 ?? '' },
        r.org_id,
      ),
  },
  // Issue 11: what patients text us.
  {
    table: 'inbound_messages',
    column: 'body_encrypted',
    plain: null,
    keys: [],
    aad: (r) => inboundBodyAad(r.id, r.org_id),
  },
  // Issue 11: the shared inbox, portal messages and call tasks.
  {
    table: 'conversation_entries',
    column: 'body_encrypted',
    plain: null,
    keys: [],
    aad: (r) => conversationBodyAad(r.id, r.org_id),
  },
  {
    table: 'conversation_attachments',
    column: 'name_encrypted',
    plain: null,
    keys: [],
    aad: (r) => attachmentNameAad(r.id, r.org_id),
  },
  {
    table: 'conversation_attachments',
    column: 'data_encrypted',
    plain: null,
    keys: [],
    aad: (r) => attachmentDataAad(r.id, r.org_id),
  },
  {
    table: 'tasks',
    column: 'call_note_encrypted',
    plain: null,
    keys: [],
    aad: (r) => callNoteAad(r.id, r.org_id),
  },
  // Issue 9: an appointment's cancellation reason; rotation seals the plain values of before 0035.
  {
    table: 'appointments',
    column: 'cancel_reason_encrypted',
    plain: 'cancel_reason',
    keys: [],
    aad: (r) => appointmentCancelReasonAad(r.id, r.org_id),
  },
  // Issue 11: webhook endpoints' signing secrets.
  {
    table: 'webhook_endpoints',
    column: 'secret_encrypted',
    plain: null,
    keys: [],
    aad: (r) => webhookSecretAad(r.id, r.org_id),
  },
  {
    table: 'webhook_endpoints',
    column: 'previous_secret_encrypted',
    plain: null,
    keys: [],
    aad: (r) => webhookPreviousSecretAad(r.id, r.org_id),
  },
  // Issue 13 (h13r): pre-registration before a visit.
  {
    table: 'coverage_card_images',
    column: 'data_encrypted',
    plain: null,
    keys: [],
    aad: (r) => coverageCardAad(r.id, r.org_id),
  },
  {
    table: 'pre_registrations',
    column: 'emergency_contact_encrypted',
    plain: null,
    keys: [],
    aad: (r) => emergencyContactAad(r.id, r.org_id),
  },
  // Issue 11 (h11v): the post-visit survey's free text.
  {
    table: 'survey_responses',
    column: 'comment_encrypted',
    plain: null,
    keys: [],
    aad: (r) => surveyCommentAad(r.id, r.org_id),
  },
];

export interface ColumnReport {
  table: string;
  column: string;
  /** Values re-encrypted under the current key (older key or v1). */
  resealed: number;
  /** Plain values (written before the column was encrypted) now encrypted. */
  encrypted: number;
  /** Rows changed by the application between read and write: left as the application wrote them. */
  skipped: number;
  /** Values no key of the ring opens for their row: left as they are, listed by row id. */
  unreadable: string[];
}

export interface RotationOptions {
  /** Rows per transaction. */
  batchSize?: number;
  onProgress?: (report: ColumnReport) => void;
}

const ROTATE_ACTOR = (orgId: string): AuditActor => ({
  orgId,
  userId: null,
  email: 'careloop-cli',
  role: 'system',
  ip: null,
  userAgent: 'careloop keys rotate',
});

/**
 * `careloop keys rotate`: brings every encrypted value to the current key and format, and
 * encrypts the plain values older versions left. Each batch is one short transaction (as the
 * owning role, across organizations); pages are keyset-paged on the id, and each row is
 * written only if it still holds what was read, so it runs beside a live application, and a
 * run stopped half-way is finished by running it again (rotated rows no longer match).
 */
export async function rotateKeys(
  db: Db,
  cipher: FieldCipher,
  options: RotationOptions = {},
): Promise<ColumnReport[]> {
  const reports: ColumnReport[] = [];
  for (const column of ENCRYPTED_COLUMNS) {
    reports.push(await rotateColumn(db, cipher, column, options));
  }
  return reports;
}

/** `v2.<kid>.` compared as a prefix by length: in LIKE, a `_` of a key id would match any character. */
function pageQuery(c: EncryptedColumn, currentPrefix: string, after: string, limit: number) {
  const ident = (name: string) => sql.raw(`"${name}"`);
  const keys = [0, 1, 2].map((i) => {
    const key = c.keys[i];
    return key ? sql`${ident(key)}::text` : sql`null::text`;
  });
  const plain = c.plain ? sql`${ident(c.plain)}::text` : sql`null::text`;
  // Null (no value, e.g. a task without description) is not stale: `<>` is null there.
  const notCurrent = sql`left(${ident(c.column)}, ${currentPrefix.length}) <> ${currentPrefix}`;
  const stale = c.plain ? sql`(${ident(c.plain)} is not null or ${notCurrent})` : notCurrent;
  return sql`select id::text as id, org_id::text as org_id, ${ident(c.column)} as sealed,
      ${plain} as plain, ${keys[0]} as k1, ${keys[1]} as k2, ${keys[2]} as k3
    from ${ident(c.table)}
    where id > ${after}::uuid and ${stale}
    order by id limit ${limit}`;
}

async function rotateColumn(
  db: Db,
  cipher: FieldCipher,
  c: EncryptedColumn,
  options: RotationOptions,
): Promise<ColumnReport> {
  const report: ColumnReport = {
    table: c.table,
    column: c.column,
    resealed: 0,
    encrypted: 0,
    skipped: 0,
    unreadable: [],
  };
  const limit = options.batchSize ?? 500;
  const prefix = `v2.${cipher.currentKid}.`;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const page = await db.transaction(async (tx) => {
      const rows = rowsOf<RotationRow>(await tx.execute(pageQuery(c, prefix, after, limit)));
      const changedByOrg = new Map<string, number>();
      for (const row of rows) {
        const outcome = await rotateRow(tx, cipher, c, row);
        if (outcome === 'unreadable') report.unreadable.push(row.id);
        else if (outcome === 'skipped') report.skipped += 1;
        else {
          report[outcome] += 1;
          changedByOrg.set(row.org_id, (changedByOrg.get(row.org_id) ?? 0) + 1);
        }
      }
      for (const [orgId, n] of changedByOrg) {
        await appendAudit(tx, [
          auditFields(ROTATE_ACTOR(orgId), {
            action: 'update',
            recordType: 'encryption-key',
            reason: `keys rotate: ${n} values of ${c.table}.${c.column} sealed under key ${cipher.currentKid}`,
          }),
        ]);
      }
      return rows;
    });
    options.onProgress?.(report);
    const last = page.at(-1);
    if (!last || page.length < limit) return report;
    after = last.id;
  }
}

type RowOutcome = 'resealed' | 'encrypted' | 'skipped' | 'unreadable';

async function rotateRow(
  tx: Db,
  cipher: FieldCipher,
  c: EncryptedColumn,
  row: RotationRow,
): Promise<RowOutcome> {
  const aad = c.aad(row);
  let text: string;
  let outcome: RowOutcome;
  if (row.sealed !== null) {
    try {
      text = cipher.decrypt(row.sealed, aad);
    } catch (error) {
      if (!(error instanceof DecryptionError)) throw error;
      return 'unreadable';
    }
    outcome = 'resealed';
  } else if (row.plain !== null) {
    text = row.plain;
    outcome = 'encrypted';
  } else {
    return 'skipped';
  }
  const ident = (name: string) => sql.raw(`"${name}"`);
  const clearPlain = c.plain ? sql`, ${ident(c.plain)} = null` : sql``;
  const plainSame = c.plain
    ? sql` and ${ident(c.plain)}::text is not distinct from ${row.plain}`
    : sql``;
  const updated = rowsOf<{ id: string }>(
    await tx.execute(sql`update ${ident(c.table)}
      set ${ident(c.column)} = ${cipher.encrypt(text, aad)}${clearPlain}
      where id = ${row.id}::uuid
        and ${ident(c.column)} is not distinct from ${row.sealed}${plainSame}
      returning id`),
  );
  return updated.length === 1 ? outcome : 'skipped';
}
