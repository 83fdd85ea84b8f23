import { randomUUID } from 'node:crypto';
import { eq, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { fhirResourceAad } from '../../../crypto/encrypted-fields.js';
import type { FieldCipher } from '../../../crypto/field-cipher.js';
import { insertStatements, type JsonText, runAll } from '../../../db/bulk-sql.js';
import type { Db } from '../../../db/client.js';
import { sourceLinkStatements as linkStatements } from '../../mpi/source-links.js';
import {
  type GoldenRow,
  goldenInsertStatements,
  updateGoldenRow,
} from '../../patients/golden-record.js';
import { touchpoints } from '../../timeline/schema.js';
import { type NewTouchpoint, touchpointRow } from '../../timeline/service.js';
import { type GoldenWrite, type RowWrite, TABLES, type TableKey } from '../mapping/context.js';
import { fhirSourceRecords } from '../schema.js';

type AnyTable = PgTable & { id: PgColumn };

/**
 * Collects the rows an import maps and writes them in bulk: one multi-row INSERT per table,
 * tables in foreign-key order, then the updates one by one (re-imports change few rows).
 * Golden records go through their writer (patients/golden-record.ts), first, since the other
 * rows point at them.
 */
export class RowWriter {
  private inserts = new Map<TableKey, Record<string, unknown>[]>();
  private updates: Exclude<Extract<RowWrite, { op: 'update' }>, GoldenWrite>[] = [];
  private golden: GoldenRow[] = [];
  private goldenUpdates: Extract<GoldenWrite, { op: 'update' }>[] = [];

  add(writes: RowWrite[]): void {
    for (const write of writes) {
      if (write.table === 'patients') {
        if (write.op === 'insert') this.golden.push(write.values);
        else this.goldenUpdates.push(write);
      } else if (write.op === 'insert') {
        const rows = this.inserts.get(write.table) ?? [];
        rows.push(write.values);
        this.inserts.set(write.table, rows);
      } else if (Object.keys(write.values).length > 0) {
        this.updates.push(write);
      }
    }
  }

  clear(): void {
    this.inserts = new Map();
    this.updates = [];
    this.golden = [];
    this.goldenUpdates = [];
  }

  get pending(): boolean {
    return (
      this.inserts.size > 0 ||
      this.updates.length > 0 ||
      this.golden.length > 0 ||
      this.goldenUpdates.length > 0
    );
  }

  /** Whether rows for any of these tables wait to be written. */
  holds(tables: readonly TableKey[]): boolean {
    return tables.some((table) => this.inserts.has(table));
  }

  /**
   * Writes every pending insert, and `more` (statements of the caller's own), as one statement
   * (`runAll`); then the updates, which may touch rows just inserted.
   */
  async flush(tx: Db, more: SQL[] = []): Promise<void> {
    const inserts = this.inserts;
    const updates = this.updates;
    const goldenUpdates = this.goldenUpdates;
    const statements: SQL[] = goldenInsertStatements(this.golden);
    this.clear();
    for (const key of Object.keys(TABLES) as TableKey[]) {
      const rows = inserts.get(key);
      if (rows) statements.push(...insertStatements(TABLES[key], rows));
    }
    await runAll(tx, [...statements, ...more]);
    for (const update of goldenUpdates)
      await updateGoldenRow(tx, { ...update.values, id: update.id });
    for (const update of updates) {
      const table: AnyTable = TABLES[update.table];
      await tx.update(table).set(update.values).where(eq(table.id, update.id));
    }
  }
}

export type SourceStatus = 'mapped' | 'stored-not-mapped' | 'rejected';

export interface SourceRecordRow {
  resourceType: string;
  sourceId: string;
  status: SourceStatus;
  contentHash: string;
  /** The resource as JSON text (the entry's canonical JSON). */
  resource: JsonText;
  detail: string | null;
}

export interface SourceLinkRow {
  sourceType: string;
  sourceId: string;
  recordType: string;
  recordId: string;
  patientId: string | null;
}

/**
 * The statements that store the raw resources (insert, or update in place on re-import): one
 * JSON parameter per statement like the other bulk writes, which also spares building
 * thousands of bind parameters for the largest rows an import writes. The resource is
 * encrypted, bound to its source key (a re-import's upsert keeps that key, whatever the id);
 * a row rotated from before encryption loses its plain copy.
 */
export function sourceRecordStatements(
  orgId: string,
  sourceSystem: string,
  rows: SourceRecordRow[],
  cipher: FieldCipher,
): SQL[] {
  const now = new Date();
  return insertStatements(
    fhirSourceRecords,
    rows.map(({ resource, ...r }) => ({
      ...r,
      orgId,
      sourceSystem,
      resource: null,
      resourceEncrypted: cipher.encrypt(
        resource.text,
        fhirResourceAad(
          { sourceSystem, resourceType: r.resourceType, sourceId: r.sourceId },
          orgId,
        ),
      ),
      receivedAt: now,
      updatedAt: now,
    })),
    sql`on conflict (org_id, source_system, resource_type, source_id) do update set
      status = excluded.status, content_hash = excluded.content_hash,
      resource = null, resource_encrypted = excluded.resource_encrypted,
      detail = excluded.detail, updated_at = excluded.updated_at`,
  );
}

/** The statements that record which Careloop record each source record became. */
export function sourceLinkStatements(
  orgId: string,
  sourceSystem: string,
  rows: SourceLinkRow[],
): SQL[] {
  return linkStatements(rows.map((r) => ({ ...r, orgId, sourceSystem })));
}

/** The statements that append touchpoints, as `appendTouchpoints` would write them. */
export function touchpointStatements(events: NewTouchpoint[]): SQL[] {
  return insertStatements(
    touchpoints,
    events.map((e) => ({ id: randomUUID(), ...touchpointRow(e) })),
  );
}
