import type { Hl7MessageDetail, Hl7MessageSummary } from '@careloop/core';
import { sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.js';
import { UUID } from '../../../db/keyset.js';
import { rowsOf } from '../../../db/rows.js';
import { messageKeys } from '../parse/keys.js';
import { readDelimiters, readMessage, senderOf } from '../parse/message.js';

/**
 * The message log as someone who may not open a message's patient sees it (a restricted
 * record: docs/adr/0012, "The HL7 message log"). What an integration engineer needs to fix a
 * failed feed stays: type, control id, sender, status, error and its location, and the
 * message's shape; what the message says about the patient goes.
 */

/** The text that stands for every value of a segment other than MSH. */
export const MASKED_VALUE = '***';

/**
 * A message's structure without its values: MSH as sent (sender, receiver, time, type, control
 * id, version: nothing about the patient), every other segment's name with its separators kept
 * and each value replaced by `***`, so that `PID-7` can still be counted to and seen empty or
 * filled. A text whose delimiters cannot be read gives nothing but a note.
 */
export function structureOnly(text: string): string {
  const delimiters = readDelimiters(text);
  if (typeof delimiters === 'string')
    return '(not shown: the message concerns a restricted record)';
  const separators = [
    delimiters.field,
    delimiters.component,
    delimiters.repetition,
    delimiters.subcomponent,
  ];
  const value = new RegExp(`[^${separators.map((c) => `\\${c}`).join('')}]+`, 'g');
  return text
    .split(/\r\n|\r|\n/)
    .map((segment) => {
      if (segment.startsWith('MSH') || segment.length <= 3) return segment;
      const name = segment.slice(0, 3).replace(/[^A-Z0-9]/g, '?');
      return `${name}${segment.slice(3).replace(value, MASKED_VALUE)}`;
    })
    .join('\r');
}

/** A row of the list about a patient the reader may not open: flagged, the patient left out. */
export function restrictedSummary(summary: Hl7MessageSummary): Hl7MessageSummary {
  return { ...summary, restricted: true, patientId: null };
}

/** One message about a patient the reader may not open: the summary's mask, the text's shape. */
export function restrictedDetail(detail: Hl7MessageDetail): Hl7MessageDetail {
  return { ...restrictedSummary(detail), raw: structureOnly(detail.raw) };
}

/**
 * Every patient a stored message names: the one it was applied to, and those its PID-3 (and
 * PID-2) and MRG-1 identifiers or its source keys (visit, appointment, referral) lead to, the
 * same keys its handler looks up. A message that failed before it was applied still names its
 * patient this way.
 */
export async function patientsNamedIn(
  tx: Db,
  text: string,
  appliedTo: string | null,
): Promise<string[]> {
  const found = new Set(appliedTo ? [appliedTo] : []);
  const read = readMessage(text);
  if (!read.ok) return [...found];
  const sender = senderOf(read.message.header);
  const keys = messageKeys(read.message, sender);
  const param = (values: string[]) => sql`${sql.param(values)}::text[]`;
  const rows = rowsOf<{ patient_id: string | null }>(
    await tx.execute(sql`
      select i.patient_id from patient_identifiers i
        join unnest(${param(keys.identifiers.map((k) => k.system))},
          ${param(keys.identifiers.map((k) => k.value))}) as k(system, value)
        on i.system = k.system and i.value = k.value
      union
      select case when l.record_type = 'patient' then l.record_id else l.patient_id end
        from source_links l
        join unnest(${param(keys.links.map((k) => k.sourceType))},
          ${param(keys.links.map((k) => k.sourceId))}) as k(source_type, source_id)
        on l.source_type = k.source_type and l.source_id = k.source_id
        where l.source_system = ${`hl7:${sender}`}`),
  );
  for (const r of rows) if (r.patient_id && UUID.test(r.patient_id)) found.add(r.patient_id);
  return [...found];
}
