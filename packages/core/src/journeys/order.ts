/**
 * HL7 v2 orders (ORM^O01, issue 11): which orders are referrals awaiting scheduling, and what
 * an order control (ORC-1) does to one. Pure: the HL7 handler reads the segments, this decides
 * (docs/adr/0044-orm-orders-as-referrals.md).
 */

/** The FHIR ServiceRequest status an order is in. */
export type OrderStatus = 'active' | 'on-hold' | 'revoked' | 'completed' | 'entered-in-error';

/** What an order control (table 0119) asks of the order it names. */
export type OrderControl = 'place' | 'cancel' | 'hold' | 'release';

const CONTROLS: Record<string, OrderControl> = {
  NW: 'place', // new order
  XO: 'place', // change order
  RO: 'place', // replacement order
  SC: 'place', // status changed: ORC-5 says to what
  CA: 'cancel', // cancel request
  OC: 'cancel', // order cancelled
  CR: 'cancel', // cancelled as requested
  DC: 'cancel', // discontinue request
  OD: 'cancel', // order discontinued
  DR: 'cancel', // discontinued as requested
  HD: 'hold', // hold request
  OH: 'hold', // order held
  RL: 'release', // release previous hold
  OR: 'release', // released as requested
};

/**
 * What ORC-1 asks, or null for a control Careloop does not map: the acknowledgements and
 * number exchanges between placer and filler (OK, UA, SN, NA, …) change no referral.
 */
export function orderControl(code: string): OrderControl | null {
  return CONTROLS[code.trim().toUpperCase()] ?? null;
}

/** ORC-5 order status (table 0038) to a ServiceRequest status; anything else is active. */
const ORDER_STATUS: Record<string, OrderStatus> = {
  CA: 'revoked',
  DC: 'revoked',
  CM: 'completed',
  HD: 'on-hold',
  ER: 'entered-in-error',
};

/** The status an order is in after its control: a cancel revokes, a hold holds, else ORC-5. */
export function orderStatus(control: OrderControl, statusCode: string): OrderStatus {
  switch (control) {
    case 'cancel':
      return 'revoked';
    case 'hold':
      return 'on-hold';
    case 'release':
    case 'place':
      return ORDER_STATUS[statusCode.trim().toUpperCase()] ?? 'active';
  }
}

/** What an order asks for, as its segments say it. */
export interface OrderFacts {
  /** The segment after the ORC that details the order: OBR, RXO, RQD, ODS, …; null if none. */
  detail: string | null;
  /** OBR-24 diagnostic service section (table 0074); '' when not sent. */
  section: string;
  /** OBR-4 universal service identifier: its code and text. */
  serviceCode: string;
  serviceText: string;
}

/**
 * Diagnostic service sections (table 0074, and the MR and US many feeds send) whose orders the
 * patient comes in for: imaging, cardiology and neurology studies, therapy, a physician's visit.
 */
const VISIT_SECTIONS = new Set([
  'AU', // audiology
  'CT', // CAT scan
  'CTH', // cardiac catheterization
  'CUS', // cardiac ultrasound
  'EC', // electrocardiac (EKG, Holter)
  'EN', // electroneuro (EEG, EMG)
  'MR', // MRI (not in the table, widely sent)
  'NMR', // nuclear magnetic resonance
  'NMS', // nuclear medicine scan
  'OT', // occupational therapy
  'OUS', // OB ultrasound
  'PF', // pulmonary function
  'PHY', // physician
  'PT', // physical therapy
  'RAD', // radiology
  'RT', // radiation therapy
  'RUS', // radiology ultrasound
  'RX', // radiograph
  'US', // ultrasound (not in the table, widely sent)
  'VUS', // vascular ultrasound
  'XRC', // cineradiograph
]);

/** Words of an ordered service (OBR-4 text) the patient must come in for. */
const VISIT_WORDS =
  /\b(ct|cat scan|mri?|mra|x-?ray|xr|radiograph\w*|ultrasound|sonogra\w*|echo\w*|mammo\w*|pet|dexa|dxa|fluoro\w*|angiogra\w*|scan|imaging|endoscop\w*|colonoscop\w*|biopsy|consult\w*|referr(al|ed)|physical therapy|occupational therapy|visit)\b/i;

/**
 * Whether an order is a visit to schedule (a referral, in Careloop's terms): an OBR whose
 * diagnostic section (OBR-24) is one of VISIT_SECTIONS; without a section, one whose service
 * text names imaging, a consult, a procedure or a referral. A section outside the list (HM,
 * CH, MB: laboratory), or an unknown service, needs no visit: a lab draw needs no booking, and
 * inviting a patient to book one would be wrong. Pharmacy (RXO), supply (RQD) and diet (ODS)
 * orders never do.
 */
export function orderNeedsVisit(facts: OrderFacts): boolean {
  if (facts.detail !== 'OBR') return false;
  const section = facts.section.trim().toUpperCase();
  if (section) return VISIT_SECTIONS.has(section);
  return VISIT_WORDS.test(facts.serviceText);
}
