/**
 * Messages Careloop sends to an EHR that owns the schedule (issues 11 and 13): HL7 v2.5.1 SIU
 * built from the ids the EHR gave (its filler and placer appointment ids, its patient id), and
 * the reading of the EHR's acknowledgement. Pure: the sending is the outbox's.
 */

/** HL7 text escapes for a value placed in a field (| ^ ~ \ &). */
function escapeField(value: string): string {
  return value
    .replace(/\\/g, '\\E\\')
    .replace(/\|/g, '\\F\\')
    .replace(/\^/g, '\\S\\')
    .replace(/~/g, '\\R\\')
    .replace(/&/g, '\\T\\')
    .replace(/[\r\n]+/g, ' ');
}

/** An instant as an HL7 DTM in UTC, with its offset. */
export function hl7Instant(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, '+0000');
}

/**
 * PID-3 as a CX: the id, and the assigning authority (CX-4) as an ISO OID when the system is
 * `urn:oid:…`, else as its namespace id; identifier type MR.
 */
function patientCx(id: { value: string; system: string | null }): string {
  const system = id.system ?? '';
  const oid = system.startsWith('urn:oid:') ? system.slice('urn:oid:'.length) : null;
  const authority = oid
    ? `&${escapeSub(oid)}&ISO`
    : escapeSub(system.replace(/^urn:careloop:hl7:/, ''));
  return `${escapeField(id.value)}^^^${authority}^MR`;
}

/** A value inside a subcomponent: the field escapes, and nothing else needed. */
function escapeSub(value: string): string {
  return escapeField(value);
}

export interface AppointmentConfirmation {
  /** MSH-10: unique per message; the outbox key makes it stable across retries. */
  controlId: string;
  /** MSH-5/6: the EHR application and facility, as it sent them (MSH-3/4 of its SIU). */
  receivingApplication: string;
  receivingFacility: string;
  /** SCH-1 and SCH-2 as the EHR knows them; at least one. */
  placerId: string | null;
  fillerId: string | null;
  /** PID-3: the EHR's patient id, with its assigning authority's system when it gave one. */
  patient: { value: string; system: string | null } | null;
  start: Date;
  minutes: number;
  /** When the patient confirmed, and how. */
  confirmedAt: Date;
  channel: 'sms' | 'email' | 'portal' | 'phone';
}

/**
 * SIU^S14 (appointment modification) telling the EHR that the patient confirmed: SCH-6 event
 * reason `CONFIRMED`, SCH-25 filler status `Booked` unchanged, and an NTE with when and how.
 * Many EHRs map a confirmation to S14 with a reason (there is no confirmation trigger in 2.5.1);
 * the interface engine maps the reason if the EHR names it otherwise.
 */
export function confirmationSiu(c: AppointmentConfirmation, now: Date): string {
  if (!c.placerId && !c.fillerId) throw new Error('confirmationSiu: no appointment id');
  const sch = new Array<string>(26).fill('');
  sch[0] = 'SCH';
  sch[1] = c.placerId ? escapeField(c.placerId) : '';
  sch[2] = c.fillerId ? escapeField(c.fillerId) : '';
  sch[6] = 'CONFIRMED^Confirmed by patient^L';
  sch[9] = String(c.minutes);
  sch[10] = 'min';
  sch[11] = `^^${c.minutes}^${hl7Instant(c.start)}`;
  sch[25] = 'Booked';
  return [
    [
      'MSH',
      '^~\\&',
      'CARELOOP',
      'CARELOOP',
      escapeField(c.receivingApplication),
      escapeField(c.receivingFacility),
      hl7Instant(now),
      '',
      'SIU^S14^SIU_S12',
      escapeField(c.controlId),
      'P',
      '2.5.1',
    ].join('|'),
    sch.join('|'),
    `NTE|1|L|Confirmed by the patient by ${c.channel} at ${hl7Instant(c.confirmedAt)}`,
    `PID|1||${c.patient ? patientCx(c.patient) : ''}`,
    'RGS|1|A',
  ].join('\r');
}

export type AckVerdict =
  /**
   * AA or CA: the EHR applied it. `fillerId`: the EHR's own id for a booked appointment, when
   * its acknowledgement carries an SCH segment with SCH-2 (some interface engines answer a
   * booking request so); null otherwise.
   */
  | { kind: 'accepted'; fillerId: string | null }
  /** AE or CE: the EHR refused its content; sending it again changes nothing. */
  | { kind: 'refused'; text: string }
  /** AR or CR, or no readable MSA: the EHR could not take it now; send again later. */
  | { kind: 'retry'; text: string };

/** Reads an acknowledgement's MSA-1 and MSA-3. */
export function readAck(text: string): AckVerdict {
  const msa = text
    .split(/\r\n|\r|\n/)
    .find((segment) => segment.startsWith('MSA'))
    ?.split('|');
  const code = msa?.[1]?.trim() ?? '';
  const reason = (msa?.[3] ?? '').slice(0, 200);
  if (code === 'AA' || code === 'CA') return { kind: 'accepted', fillerId: fillerIdOf(text) };
  if (code === 'AE' || code === 'CE') return { kind: 'refused', text: reason || code };
  return { kind: 'retry', text: reason || (code ? code : 'no MSA in the reply') };
}

/** SCH-2's first component in a reply, unescaped enough to be an id (at most 64 characters). */
function fillerIdOf(text: string): string | null {
  const sch = text
    .split(/\r\n|\r|\n/)
    .find((segment) => segment.startsWith('SCH|'))
    ?.split('|');
  const id = (sch?.[2] ?? '').split('^')[0]?.trim() ?? '';
  return /^[A-Za-z0-9._:-]{1,64}$/.test(id) ? id : null;
}

// ---- Issue 13: the EHR owns the schedule (booking requests) --------------------------------

/** The SIU events Careloop sends for a booking it asks the EHR for: new, moved, cancelled. */
export type BookingRequestEvent = 'S12' | 'S13' | 'S15';

/** A resource of the request (practitioner, location, service): the id the EHR knows, a label. */
export interface RequestResource {
  id: string;
  name: string;
}

export interface BookingRequest {
  event: BookingRequestEvent;
  /** MSH-10: one per attempt (a new request after a refusal gets a new one). */
  controlId: string;
  receivingApplication: string;
  receivingFacility: string;
  /** SCH-1: Careloop's appointment id, the placer id the EHR echoes back. */
  placerId: string;
  /** SCH-2: the EHR's id, once it gave one (S13 and S15). */
  fillerId: string | null;
  /** PID-3: every identifier of the patient the EHR may know (its own first). */
  patientIds: { value: string; system: string | null }[];
  /** PID-5 and PID-7, for an EHR that matches by demographics. */
  patientName: { family: string; given: string } | null;
  birthDate: string | null;
  service: RequestResource;
  practitioner: RequestResource;
  location: RequestResource;
  start: Date;
  minutes: number;
  /** S15: why (a code and label, never the patient's free text). */
  cancelReason?: string;
}

const EVENT_STATUS: Record<BookingRequestEvent, string> = {
  S12: 'Pending',
  S13: 'Pending',
  S15: 'Cancelled',
};

/**
 * SIU^S12 (a new appointment request), S13 (moved) or S15 (cancelled) for an EHR that owns the
 * schedule: SCH-1 carries Careloop's placer id (the EHR echoes it, so its answer and its feed
 * are matched to the request), SCH-2 the EHR's filler id once known, AIS/AIP/AIL the service,
 * practitioner and location with the start and length. SCH-25 is `Pending`: the EHR books it.
 */
export function bookingRequestSiu(r: BookingRequest, now: Date): string {
  const sch = new Array<string>(26).fill('');
  sch[0] = 'SCH';
  sch[1] = `${escapeField(r.placerId)}^CARELOOP`;
  sch[2] = r.fillerId ? escapeField(r.fillerId) : '';
  if (r.event === 'S15') sch[6] = `CANCELLED^${escapeField(r.cancelReason ?? 'Cancelled')}^L`;
  sch[7] = `${escapeField(r.service.id)}^${escapeField(r.service.name)}^CARELOOP`;
  sch[9] = String(r.minutes);
  sch[10] = 'min';
  sch[11] = `^^${r.minutes}^${hl7Instant(r.start)}`;
  sch[25] = EVENT_STATUS[r.event];
  const start = hl7Instant(r.start);
  const name = r.patientName
    ? `${escapeField(r.patientName.family)}^${escapeField(r.patientName.given)}`
    : '';
  const birth = r.birthDate ? r.birthDate.replace(/-/g, '') : '';
  return [
    [
      'MSH',
      '^~\\&',
      'CARELOOP',
      'CARELOOP',
      escapeField(r.receivingApplication),
      escapeField(r.receivingFacility),
      hl7Instant(now),
      '',
      `SIU^${r.event}^SIU_S12`,
      escapeField(r.controlId),
      'P',
      '2.5.1',
    ].join('|'),
    sch.join('|'),
    `PID|1||${r.patientIds.map(patientCx).join('~')}||${name}||${birth}`,
    'RGS|1|A',
    `AIS|1|A|${escapeField(r.service.id)}^${escapeField(r.service.name)}^CARELOOP|${start}|0|min|${r.minutes}|min`,
    `AIP|1|A|${escapeField(r.practitioner.id)}^${escapeField(r.practitioner.name)}||${start}|0|min|${r.minutes}|min`,
    `AIL|1|A|${escapeField(r.location.id)}^^^^^^^^${escapeField(r.location.name)}||${start}|0|min|${r.minutes}|min`,
  ].join('\r');
}
