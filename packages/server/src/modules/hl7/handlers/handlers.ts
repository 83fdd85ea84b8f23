import type { UnsupportedRoute } from '../log/outcome.js';
import { HL7_ERROR } from '../parse/ack.js';
import type { MessageHeader } from '../parse/message.js';
import { admit, cancelAdmit, cancelDischarge, discharge, register, updatePerson } from './adt.js';
import type { Hl7Handler } from './context.js';
import { mergePatientMessage } from './merge.js';
import { order } from './orm.js';
import { linkStoredMessage } from './patient-upsert.js';
import { referral } from './ref.js';
import { scheduleHandler } from './siu.js';

/**
 * ORU (results): kept as received, linked to the golden record when its PID names a known
 * patient, and not mapped: results belong to the EHR; Careloop only needs to know they exist.
 */
const storeResult: Hl7Handler = (tx, message, hc) =>
  linkStoredMessage(tx, hc, message.segment('PID'));

/** The events Careloop maps, by `TYPE^EVENT`. */
const HANDLERS: Record<string, Hl7Handler> = {
  'ADT^A01': admit,
  'ADT^A04': register,
  'ADT^A03': discharge,
  'ADT^A08': updatePerson,
  'ADT^A11': cancelAdmit,
  'ADT^A13': cancelDischarge,
  'ADT^A28': updatePerson,
  'ADT^A31': updatePerson,
  'ADT^A40': mergePatientMessage,
  'SIU^S12': scheduleHandler('S12'),
  'SIU^S13': scheduleHandler('S13'),
  'SIU^S14': scheduleHandler('S14'),
  'SIU^S15': scheduleHandler('S15'),
  'SIU^S26': scheduleHandler('S26'),
  'REF^I12': referral,
  // Issue 11 (h11o): orders that need a visit become referrals (docs/adr/0044).
  'ORM^O01': order,
};

/** Message types kept as received whatever their event. */
const STORED_TYPES = new Set(['ORU']);

export const SUPPORTED_EVENTS: readonly string[] = [...Object.keys(HANDLERS), 'ORU^*'];

export type Route = { kind: 'handle'; handler: Hl7Handler } | UnsupportedRoute;

/** What Careloop does with a message of this type and event. */
export function routeOf(header: MessageHeader): Route {
  const key = `${header.messageType}^${header.triggerEvent}`;
  const handler = HANDLERS[key];
  if (handler) return { kind: 'handle', handler };
  if (STORED_TYPES.has(header.messageType)) return { kind: 'handle', handler: storeResult };
  const knownType = Object.keys(HANDLERS).some((k) => k.startsWith(`${header.messageType}^`));
  return knownType
    ? {
        kind: 'unsupported',
        code: HL7_ERROR.unsupportedEventCode,
        text: `Careloop does not take ${key} messages`,
        location: 'MSH-9',
      }
    : {
        kind: 'unsupported',
        code: HL7_ERROR.unsupportedMessageType,
        text: `Careloop does not take ${header.messageType} messages`,
        location: 'MSH-9',
      };
}
