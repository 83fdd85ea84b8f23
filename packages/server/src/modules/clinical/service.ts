import type { SQL } from 'drizzle-orm';
import type { FieldCipher } from '../../crypto/field-cipher.js';
import { insertStatements, runAll, updateStatements } from '../../db/bulk-sql.js';
import type { Db } from '../../db/client.js';
import { type QuestionnaireAnswer, sealedAnswers } from './answers.js';
import { sealedEncounterReason } from './reason.js';
import {
  allergies,
  carePlans,
  conditions,
  encounters,
  immunizations,
  medicationRequests,
  observations,
  procedures,
  questionnaireResponses,
  serviceRequests,
} from './schema.js';

/** How stored clinical values are opened, for the readers (the 360 view, the FHIR API). */
export { openAnswers, type QuestionnaireAnswer } from './answers.js';
// Issue 11 (h11d): imported discharges reach journeys and webhooks.
export {
  type EncounterEventSink,
  encounterEventsTo,
  type ImportedEncounterChange,
  withDischargeJourneys,
} from './discharges.js';
export { encounterReason } from './reason.js';
// Issue 11 (h11j): imported referrals reach journeys.
export {
  type ClosedReferral,
  type ImportedReferral,
  type ReferralEventSink,
  referralEventsTo,
} from './referral-events.js';

/** The clinical tables, by the key importers name them with, in foreign-key order. */
export const CLINICAL_TABLES = {
  encounters,
  conditions,
  procedures,
  observations,
  immunizations,
  medicationRequests,
  allergies,
  carePlans,
  serviceRequests,
  questionnaireResponses,
} as const;

export type ClinicalTable = keyof typeof CLINICAL_TABLES;
type Insert<K extends ClinicalTable> = (typeof CLINICAL_TABLES)[K]['$inferInsert'];

/**
 * A new clinical record as a source brings it. An encounter's `reason` and a questionnaire
 * response's `answers` come in the clear: the service seals them (docs/encryption.md).
 */
export type NewClinicalRecord<K extends ClinicalTable> = Insert<K> & { id: string; orgId: string };

/** Changes to a clinical record a source sent before, `reason` and `answers` in the clear. */
export type ClinicalChanges<K extends ClinicalTable> = Partial<Insert<K>> & { id: string };

type Row = { id: string } & Record<string, unknown>;

/**
 * The clinical module's service: the one writer of encounters, conditions, procedures,
 * observations, immunizations, medication requests, allergies, care plans, service requests
 * (orders and referrals) and questionnaire responses (docs/adr/0016). Every source writes
 * through it: the FHIR importer, the HL7 handlers (ADT visits, REF referrals) and the seed.
 *
 * It seals what is sensitive free text on the way in (an encounter's reason, a response's
 * answers), bound to the row and organization, so that no writer can store it in the clear.
 * Each write has two forms: at once (`insert`, `update`), and as statements for a batch's
 * single round trip (`insertStatements`, `updateStatements`, run with `runAll`), set-based so
 * the HL7 and FHIR feeds pay no round trip per row. Audit and touchpoints stay with the caller,
 * which knows the source and the message.
 */
export class ClinicalService {
  constructor(private readonly cipher: FieldCipher) {}

  /** Inserts new clinical records of one table. */
  async insert<K extends ClinicalTable>(
    tx: Db,
    table: K,
    rows: NewClinicalRecord<K>[],
  ): Promise<void> {
    await runAll(tx, this.insertStatements(table, rows));
  }

  /** Changes clinical records of one table, all of organization `orgId`. */
  async update<K extends ClinicalTable>(
    tx: Db,
    table: K,
    orgId: string,
    rows: ClinicalChanges<K>[],
  ): Promise<void> {
    await runAll(tx, this.updateStatements(table, orgId, rows));
  }

  /** The inserts of new records as statements, one per shape of row and chunk. */
  insertStatements<K extends ClinicalTable>(table: K, rows: NewClinicalRecord<K>[]): SQL[] {
    if (rows.length === 0) return [];
    const sealed = rows.map((row) => this.sealed(table, row.orgId, row));
    return insertStatements(CLINICAL_TABLES[table], sealed);
  }

  /**
   * Changes as statements. Several changes to one record (two messages about one visit) are
   * merged in order into one, as `runAll` needs each row changed by one clause at most.
   */
  updateStatements<K extends ClinicalTable>(
    table: K,
    orgId: string,
    rows: ClinicalChanges<K>[],
  ): SQL[] {
    const merged = new Map<string, Row>();
    for (const row of rows) merged.set(row.id, { ...merged.get(row.id), ...row });
    const sealed = [...merged.values()].map((row) => this.sealed(table, orgId, row));
    return updateStatements(CLINICAL_TABLES[table], sealed);
  }

  /** A row with its sensitive free text sealed and the plain column emptied. */
  private sealed(table: ClinicalTable, orgId: string, row: Row): Row {
    if (table === 'encounters' && 'reason' in row) {
      const { reason, ...rest } = row;
      const text = typeof reason === 'string' ? reason : null;
      return { ...rest, ...sealedEncounterReason(this.cipher, text, row.id, orgId) };
    }
    if (table === 'questionnaireResponses' && 'answers' in row) {
      const { answers, ...rest } = row;
      const list = Array.isArray(answers) ? (answers as QuestionnaireAnswer[]) : [];
      return { ...rest, ...sealedAnswers(this.cipher, list, row.id, orgId) };
    }
    return row;
  }
}
