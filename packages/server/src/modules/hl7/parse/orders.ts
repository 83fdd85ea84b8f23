import type { OrderFacts } from '@careloop/core';
import { type Coded, readCoded, readEntityId } from './datatypes.js';
import type { Hl7Read, Segment } from './message.js';

/** The segments that detail an order in ORM^O01's order choice (v2.3 to v2.6). */
const DETAIL_SEGMENTS = new Set(['OBR', 'RQD', 'RQ1', 'RXO', 'ODS', 'ODT']);

/** One order of an ORM^O01: its ORC and the segment that says what is ordered. */
export interface Hl7Order {
  orc: Segment;
  /** The OBR of an observation or diagnostic order; null for other orders. */
  obr: Segment | null;
  facts: OrderFacts;
  /** ORC-2 placer order number (else OBR-2), with its namespace: a source key. */
  placer: string | null;
  /** ORC-3 filler order number (else OBR-3). */
  filler: string | null;
  /** OBR-4, the universal service identifier: what is ordered. */
  service: Coded | null;
}

/**
 * The orders of an ORM^O01: each ORC with the segments up to the next ORC, the first detail
 * segment among them saying what kind of order it is. Segments before the first ORC (PID, PV1,
 * the patient's notes and allergies) belong to no order.
 */
export function readOrders(message: Hl7Read): Hl7Order[] {
  const groups: { orc: Segment; detail: Segment | null }[] = [];
  for (const segment of message.segments) {
    if (segment.name === 'ORC') groups.push({ orc: segment, detail: null });
    const current = groups.at(-1);
    if (current && !current.detail && DETAIL_SEGMENTS.has(segment.name)) current.detail = segment;
  }
  return groups.map(({ orc, detail }) => {
    const obr = detail?.name === 'OBR' ? detail : null;
    const service = obr ? readCoded(obr, 4) : null;
    return {
      orc,
      obr,
      facts: {
        detail: detail?.name ?? null,
        section: obr?.value(24) ?? '',
        serviceCode: service?.code ?? '',
        serviceText: service?.text ?? '',
      },
      placer: readEntityId(orc, 2) ?? (obr ? readEntityId(obr, 2) : null),
      filler: readEntityId(orc, 3) ?? (obr ? readEntityId(obr, 3) : null),
      service,
    };
  });
}
