import { identifierSystem, readEntityId, readIdentifiers } from './datatypes.js';
import type { LinkType } from './links.js';
import { LINK } from './links.js';
import type { Hl7Read, Segment } from './message.js';
import { readPatientIdentifiers } from './patient.js';

/** PV1-19 visit number as a source key: its assigning authority (else the sender) and value. */
export function visitKey(pv1: Segment, sender: string): string | null {
  const [id] = readIdentifiers(pv1, 19);
  return id ? `${identifierSystem(id, sender)}|${id.value}` : null;
}

/** RF1-6 originating referral id, else RF1-11 external referral id. */
export const referralKey = (rf1: Segment): string | null =>
  readEntityId(rf1, 6) ?? readEntityId(rf1, 11);

/** What a message will look up: identifiers (system|value) and source keys, to read in bulk. */
export interface MessageKeys {
  identifiers: { system: string; value: string }[];
  links: { sourceType: LinkType; sourceId: string }[];
}

/**
 * The identifiers and source keys a message's handler will look for, computed the same way the
 * handlers compute them, so a batch can read them all in one query each. A key missed here is
 * only a slower lookup later, never a wrong one. Never throws: a message whose keys cannot be
 * read (its handler answers it AE) has none, and the rest of its batch goes on.
 */
export function messageKeys(message: Hl7Read, sender: string): MessageKeys {
  try {
    return keysOf(message, sender);
  } catch {
    return { identifiers: [], links: [] };
  }
}

function keysOf(message: Hl7Read, sender: string): MessageKeys {
  const keys: MessageKeys = { identifiers: [], links: [] };
  for (const seg of message.segments) {
    switch (seg.name) {
      case 'PID': {
        const ids = readPatientIdentifiers(seg, [3, 2], sender);
        keys.identifiers.push(...ids);
        const first = ids[0];
        if (first)
          keys.links.push({ sourceType: LINK.patient, sourceId: `${first.system}|${first.value}` });
        break;
      }
      case 'MRG':
        keys.identifiers.push(...readPatientIdentifiers(seg, [1], sender));
        break;
      case 'PV1': {
        const visit = visitKey(seg, sender);
        if (visit) keys.links.push({ sourceType: LINK.visit, sourceId: visit });
        break;
      }
      case 'SCH': {
        const placer = readEntityId(seg, 1);
        const filler = readEntityId(seg, 2);
        if (filler) keys.links.push({ sourceType: LINK.fillerAppointment, sourceId: filler });
        if (placer) keys.links.push({ sourceType: LINK.placerAppointment, sourceId: placer });
        break;
      }
      case 'ORC': {
        // As parse/orders.ts reads them (an OBR's own numbers are only a slower lookup).
        const placer = readEntityId(seg, 2);
        const filler = readEntityId(seg, 3);
        if (placer) keys.links.push({ sourceType: LINK.placerOrder, sourceId: placer });
        if (filler) keys.links.push({ sourceType: LINK.fillerOrder, sourceId: filler });
        break;
      }
      case 'RF1': {
        const referral = referralKey(seg);
        if (referral) keys.links.push({ sourceType: LINK.referral, sourceId: referral });
        break;
      }
    }
  }
  return keys;
}
