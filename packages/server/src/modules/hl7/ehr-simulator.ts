import { type MllpListener, startMllpListener } from './mllp/listener.js';
import { type AckCode, buildAck, HL7_ERROR } from './parse/ack.js';
import { decodePayload, type Hl7Read, readMessage } from './parse/message.js';

/**
 * When the simulated EHR refuses a message: a pattern tested against the message's text. `AE`
 * (content refused: the sender gives up) wins over `AR` (not now: the sender tries again).
 */
export interface EhrSimulatorRules {
  error?: RegExp;
  refuse?: RegExp;
  /** Refuse (AR) the first N messages, then accept: an EHR that was down for a while. */
  refuseFirst?: number;
  /**
   * Issue 13: keep a book of appointments from booking requests (SIU^S12/S13/S15): an S12 or
   * S13 for a practitioner's start another request holds is refused (AE, "slot taken"); an
   * accepted S12 is answered with the EHR's filler id (SCH-2 in the ACK). Default on.
   */
  bookings?: boolean;
}

/** The simulated EHR's appointment book: per practitioner and start, who holds it. */
interface Book {
  /** `practitioner|start` → placer id. */
  taken: Map<string, string>;
  /** placer id → filler id. */
  fillers: Map<string, string>;
}

/** What a booking request says: its placer id and the practitioner's start it wants. */
function bookingOf(message: Hl7Read): { placer: string; slot: string } | null {
  const sch = message.segment('SCH');
  const placer = sch?.value(1) ?? '';
  if (!placer) return null;
  const practitioner = message.segment('AIP')?.value(3) ?? '';
  const start = message.segment('AIS')?.value(4) || sch?.value(11, 4) || '';
  return { placer, slot: `${practitioner}|${start}` };
}

/**
 * Applies a booking request to the book: the answer (AE when the slot is taken by another
 * request) and, for an accepted S12, the filler id the ACK carries. A request sent again (the
 * same placer) gets the same answer: the sender retries with one control id.
 */
function applyBooking(
  book: Book,
  event: string,
  message: Hl7Read,
): { refused: boolean; filler: string | null; placer: string } | null {
  const request = bookingOf(message);
  if (!request) return null;
  const { placer, slot } = request;
  const release = () => {
    for (const [key, holder] of book.taken) if (holder === placer) book.taken.delete(key);
  };
  if (event === 'S15') {
    release();
    return { refused: false, filler: book.fillers.get(placer) ?? null, placer };
  }
  const holder = book.taken.get(slot);
  if (holder && holder !== placer) return { refused: true, filler: null, placer };
  release();
  book.taken.set(slot, placer);
  if (!book.fillers.has(placer)) book.fillers.set(placer, `F-${book.fillers.size + 1001}`);
  return { refused: false, filler: book.fillers.get(placer) ?? null, placer };
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
  const book: Book = { taken: new Map(), fillers: new Map() };
  const keepsBook = rules.bookings ?? true;
  const listener = await startMllpListener({
    port: options.port,
    host: options.host ?? '127.0.0.1',
    async handle(payload) {
      const text = decodePayload(payload);
      const read = readMessage(text);
      const header = read.ok ? read.message.header : read.header;
      let ack: AckCode = 'AA';
      let taken = false;
      let booked: { filler: string | null; placer: string } | null = null;
      if (!read.ok) ack = 'AR';
      else if (rules.error?.test(text)) ack = 'AE';
      else if (rules.refuse?.test(text)) ack = 'AR';
      else if (refusals < (rules.refuseFirst ?? 0)) {
        refusals += 1;
        ack = 'AR';
      } else if (
        keepsBook &&
        header?.messageType === 'SIU' &&
        ['S12', 'S13', 'S15'].includes(header.triggerEvent) &&
        read.message.segment('SCH')?.value(1, 2) === 'CARELOOP'
      ) {
        const result = applyBooking(book, header.triggerEvent, read.message);
        if (result?.refused) {
          ack = 'AE';
          taken = true;
        } else if (result && header.triggerEvent === 'S12') booked = result;
      }
      const receipt: EhrReceipt = {
        type: header ? `${header.messageType}^${header.triggerEvent}` : 'unreadable',
        controlId: header?.controlId ?? '',
        ack,
        text,
      };
      received.push(receipt);
      options.onReceipt?.(receipt);
      const reply = buildAck({
        header,
        code: ack,
        application: 'EHR-SIM',
        error:
          ack === 'AA'
            ? null
            : {
                code: ack === 'AE' ? HL7_ERROR.unknownKey : HL7_ERROR.recordLocked,
                text: taken
                  ? 'Slot taken'
                  : ack === 'AE'
                    ? 'Refused by the simulated EHR'
                    : 'Busy, send again later',
                location: null,
              },
      });
      // An accepted booking request is answered with the EHR's id for the appointment.
      return booked?.filler ? `${reply}\rSCH|${booked.placer}^CARELOOP|${booked.filler}` : reply;
    },
  });
  return { listener, received, close: () => listener.close() };
}
