import { randomUUID } from 'node:crypto';
import {
  badRequest,
  CareloopError,
  forbidden,
  mayReadNote,
  type Note,
  type NoteCreate,
  notFound,
  type Role,
} from '@careloop/core';
import { eq } from 'drizzle-orm';
import { noteBodyAad } from '../../crypto/encrypted-fields.js';
import { type FieldCipher, openForView } from '../../crypto/field-cipher.js';
import type { Database } from '../../db/client.js';
import type { RequestContext } from '../../http/actor.js';
import type { AuditLog } from '../audit/service.js';
import { patients } from '../patients/schema.js';
import { appendTouchpoints } from '../timeline/service.js';
import { notes } from './schema.js';

type NoteRow = typeof notes.$inferSelect;

function toNote(row: NoteRow, cipher: FieldCipher): Note {
  return {
    id: row.id,
    body: openForView(cipher, row.bodyEncrypted, noteBodyAad(row.id, row.orgId)),
    category: row.category,
    authorName: row.authorName,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function checkedBody(body: string | undefined): string | undefined {
  if (body !== undefined && body.trim() === '') {
    throw badRequest('The note is empty', '/body/body');
  }
  return body;
}

const checkedCategory = (category: string | undefined) =>
  category === undefined ? undefined : category.trim() || 'general';

/** A role writes only notes it may read: the front desk cannot file a note marked clinical. */
function requireReadable(role: Role, category: string | undefined): void {
  if (category !== undefined && !mayReadNote(role, category)) {
    throw new CareloopError(
      'forbidden',
      `Your role may not read or write a note of category ${category}`,
      '/body/category',
    );
  }
}

/**
 * Care-team notes. The body is free text about a patient, so it is encrypted before it reaches
 * the database and never copied into the timeline or the audit log.
 */
export class NoteService {
  constructor(
    readonly database: Database,
    readonly audit: AuditLog,
    readonly cipher: FieldCipher,
  ) {}

  create(ctx: RequestContext, patientId: string, input: NoteCreate): Promise<Note> {
    const body = checkedBody(input.body) ?? '';
    const category = checkedCategory(input.category) ?? 'general';
    requireReadable(ctx.actor.role, category);
    const orgId = ctx.actor.orgId;
    return this.database.withTenant(orgId, async (tx) => {
      const [patient] = await tx
        .select({ id: patients.id })
        .from(patients)
        .where(eq(patients.id, patientId));
      if (!patient) throw notFound('Patient');
      const now = new Date();
      // The id is chosen here: the ciphertext is bound to it.
      const id = randomUUID();
      const [row] = await tx
        .insert(notes)
        .values({
          id,
          orgId,
          patientId,
          authorId: ctx.actor.userId,
          authorName: ctx.actor.displayName,
          category,
          bodyEncrypted: this.cipher.encrypt(body, noteBodyAad(id, orgId)),
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      if (!row) throw new Error('note insert returned no row');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'create',
        recordType: 'note',
        recordId: row.id,
        patientId,
      });
      await appendTouchpoints(tx, [
        {
          orgId,
          patientId,
          channel: 'system',
          direction: 'internal',
          stage: 'follow-up',
          type: 'note.added',
          summary: 'Care-team note added',
          nonClinicalSummary: 'Care-team note added',
          subjectType: 'note',
          subjectId: row.id,
          occurredAt: now,
        },
      ]);
      return toNote(row, this.cipher);
    });
  }

  /** Only the note's author or an admin may change it. */
  update(ctx: RequestContext, id: string, input: Partial<NoteCreate>): Promise<Note> {
    const body = checkedBody(input.body);
    const category = checkedCategory(input.category);
    return this.database.withTenant(ctx.actor.orgId, async (tx) => {
      const [current] = await tx.select().from(notes).where(eq(notes.id, id));
      if (!current) throw notFound('Note');
      if (current.authorId !== ctx.actor.userId && ctx.actor.role !== 'admin') {
        throw forbidden('Only the author of a note or an admin can change it');
      }
      requireReadable(ctx.actor.role, current.category);
      requireReadable(ctx.actor.role, category);
      if (body === undefined && category === undefined) return toNote(current, this.cipher);
      const [row] = await tx
        .update(notes)
        .set({
          bodyEncrypted:
            body === undefined
              ? undefined
              : this.cipher.encrypt(body, noteBodyAad(current.id, current.orgId)),
          category,
          updatedAt: new Date(),
        })
        .where(eq(notes.id, id))
        .returning();
      if (!row) throw notFound('Note');
      await this.audit.inTransaction(tx, ctx.audit, {
        action: 'update',
        recordType: 'note',
        recordId: row.id,
        patientId: row.patientId,
      });
      return toNote(row, this.cipher);
    });
  }
}
