import { IdParams } from '../common.js';
import { route } from '../contract.js';
import { Hl7MessageDetail, Hl7MessageListQuery, Hl7MessagePage, Hl7ReplayResult } from '../hl7.js';

const interop = { permission: 'interop:write' } as const;
const tags = ['interop'] as const;

/** The HL7 v2 message log (admins' Interfaces page): list, one message, replay. */
export const hl7Routes = {
  list: route({
    method: 'GET',
    path: '/api/hl7/messages',
    policy: interop,
    tags,
    summary: 'HL7 v2 messages received, newest first, with what became of each',
    query: Hl7MessageListQuery,
    reply: Hl7MessagePage,
  }),
  get: route({
    method: 'GET',
    path: '/api/hl7/messages/:id',
    policy: interop,
    tags,
    summary: 'One HL7 v2 message with its text (the read is audited)',
    params: IdParams,
    reply: Hl7MessageDetail,
  }),
  replay: route({
    method: 'POST',
    path: '/api/hl7/messages/:id/replay',
    policy: interop,
    tags,
    summary: 'Process a message that failed again, as if it had just arrived',
    params: IdParams,
    reply: Hl7ReplayResult,
  }),
};
