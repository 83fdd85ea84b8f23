import { type MllpListener, startMllpListener } from './mllp/listener.js';
import { type AckCode, buildAck, HL7_ERROR } from './parse/ack.js';
import { decodePayload, readMessage } from './parse/message.js';

/**
 * When the simulated EHR refuses a message: a pattern tested against the message's text. `AE`
 * (content refused: the sender gives up) wins over `AR` (not now: the sender tries again).
 */
export interface EhrSimulatorRules {
  error?: RegExp;
  refuse?: RegExp;
  /** Refuse (AR) the first N messages, then accept: an EHR that was down for a while. */
  refuseFirst?: number;
}

/** What the simulated EHR received and how it answered; no message text beyond the type. */
export interface EhrReceipt {
  type: string;
  controlId: string;
  ack: AckCode;
  /** The message as received, for tests and the demo's log (it is the sender's data). */
  text: string;
}

export interface EhrSimulator {
  listener: MllpListener;
  received: EhrReceipt[];
  close(): Promise<void>;
}

/**
 * A stand-in for an EHR's MLLP interface (issue 13), for tests and demos: it acknowledges every
 * message it can read with AA, or refuses by rule, and keeps what it received. Careloop's own
 * listener does the transport (framing, timeouts); this only decides the answer.
 */
export async function startEhrSimulator(options: {
  port: number;
  host?: string;
  rules?: EhrSimulatorRules;
  onReceipt?: (receipt: EhrReceipt) => void;
}): Promise<EhrSimulator> {
  const rules = options.rules ?? {};
  const received: EhrReceipt[] = [];
  let refusals = 0;
  const listener = await startMllpListener({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    async handle(payload) {
      const text = decodePayload(payload);
      const read = readMessage(text);
      const header = read.ok ? read.message.header : read.header;
      let ack: AckCode = 'AA';
      if (!read.ok) ack = 'AR';
      else if (rules.error?.test(text)) ack = 'AE';
      else if (rules.refuse?.test(text)) ack = 'AR';
      else if (refusals < (rules.refuseFirst ?? 0)) {
        refusals += 1;
        ack = 'AR';
      }
      const receipt: EhrReceipt = {
        type: header ? `${header.messageType}^${header.triggerEvent}` : 'unreadable',
        controlId: header?.controlId ?? '',
        ack,
        text,
      };
      received.push(receipt);
      options.onReceipt?.(receipt);
      return buildAck({
        header,
        code: ack,
        application: 'EHR-SIM',
        error:
          ack === 'AA'
            ? null
            : {
                code: ack === 'AE' ? HL7_ERROR.unknownKey : HL7_ERROR.recordLocked,
                text: ack === 'AE' ? 'Refused by the simulated EHR' : 'Busy, send again later',
                location: null,
              },
      });
    },
  });
  return { listener, received, close: () => listener.close() };
}
