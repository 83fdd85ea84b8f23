import type { Hl7Status } from '@careloop/core';
import { sqlState } from '../../../db/errors.js';
import type { AuditActor } from '../../audit/service.js';
import { type AckCode, type AckError, HL7_ERROR, type Hl7ErrorCode } from '../parse/ack.js';
import { Hl7ContentError } from '../parse/errors.js';
import type { MessageHeader, ReadResult } from '../parse/message.js';

// What becomes of a message: its status, the ACK its sender gets, and why.

export type Hl7Channel = 'mllp' | 'file';

export interface IngestJob {
  text: string;
  read: ReadResult;
  channel: Hl7Channel;
  receivedAt: Date;
  actor: AuditActor;
  /** The stored message being replayed (its row is updated, not duplicated). */
  replayOf: string | null;
}

export interface IngestOutcome {
  messageId: string | null;
  controlId: string;
  /** `ADT^A01`, or '' when the message could not be read. */
  type: string;
  ackCode: AckCode;
  status: Hl7Status;
  error: AckError | null;
  /** The same message (sender, control id, content) was processed before; nothing re-applied. */
  duplicate: boolean;
  patientId: string | null;
}

export interface Decision {
  status: Hl7Status;
  ackCode: AckCode;
  error: AckError | null;
  patientId: string | null;
}

const TRANSIENT_STATES = new Set(['40001', '40P01', '55P03', '57014', '23505']);

/**
 * A message of a type or event Careloop does not take: answered AR with this error and never
 * handled. Declared here, where its outcome is decided, and used by the handlers' routing, so
 * that the log does not import the handlers (which import the batch, which writes the log: the
 * circle issue 10 §2 broke).
 */
export interface UnsupportedRoute {
  kind: 'unsupported';
  code: Hl7ErrorCode;
  text: string;
  location: string;
}

/** A database error's class decides: a value that did not fit is the message's; others are ours. */
export function classify(error: unknown): Decision {
  if (error instanceof Hl7ContentError) {
    return {
      status: 'error',
      ackCode: 'AE',
      error: { code: error.code, text: error.message, location: error.location },
      patientId: null,
    };
  }
  const state = sqlState(error) ?? '';
  if (state.startsWith('22')) {
    return {
      status: 'error',
      ackCode: 'AE',
      error: {
        code: HL7_ERROR.dataTypeError,
        text: 'A value in the message is too long or not of its type',
        location: null,
      },
      patientId: null,
    };
  }
  if (TRANSIENT_STATES.has(state) || state.startsWith('08') || state.startsWith('53')) {
    return {
      status: 'received',
      ackCode: 'AR',
      error: {
        code: HL7_ERROR.recordLocked,
        text: 'A transient conflict stopped processing; resend the message',
        location: null,
      },
      patientId: null,
    };
  }
  return {
    status: 'error',
    ackCode: 'AR',
    error: {
      code: HL7_ERROR.internalError,
      text: 'Careloop could not process the message; it is kept and can be replayed',
      location: null,
    },
    patientId: null,
  };
}

export function unreadable(read: Extract<ReadResult, { ok: false }>): Decision {
  // With a usable header the sender can be told what to fix (AE); without one nothing in the
  // message can be trusted, not even who sent it (AR).
  const code =
    read.location === 'MSH-9'
      ? HL7_ERROR.requiredFieldMissing
      : read.location === 'MSH-2'
        ? HL7_ERROR.dataTypeError
        : HL7_ERROR.segmentSequence;
  return {
    status: 'rejected',
    ackCode: read.header ? 'AE' : 'AR',
    error: { code, text: read.error, location: read.location },
    patientId: null,
  };
}

export function unsupported(route: UnsupportedRoute): Decision {
  return {
    status: 'rejected',
    ackCode: 'AR',
    error: { code: route.code, text: route.text, location: route.location },
    patientId: null,
  };
}

export function outcomeOf(
  messageId: string | null,
  header: MessageHeader | null,
  decision: Decision,
  duplicate: boolean,
): IngestOutcome {
  return {
    messageId,
    controlId: header?.controlId ?? '',
    type: header ? `${header.messageType}^${header.triggerEvent}` : '',
    ackCode: decision.ackCode,
    status: decision.status,
    error: decision.error,
    duplicate,
    patientId: decision.patientId,
  };
}
