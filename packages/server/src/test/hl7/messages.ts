/**
 * Small HL7 v2 messages for tests and the benchmark, written for Careloop (the public samples
 * in ../shared/data are used by the conformance test only). Segments joined by CR.
 */

export interface PersonFields {
  mrn: string;
  family?: string;
  given?: string;
  /** YYYYMMDD; '' to leave PID-7 empty. */
  birthDate?: string;
  sex?: string;
  phone?: string;
  email?: string;
  street?: string;
}

const AUTHORITY = 'NORTH&2.16.840.1.113883.19.5&ISO';

export function pid(p: PersonFields): string {
  const telecom = [
    p.phone ? `^PRN^PH^^1^${p.phone.slice(0, 3)}^${p.phone.slice(3)}` : '',
    p.email ? `^NET^Internet^${p.email}` : '',
  ]
    .filter(Boolean)
    .join('~');
  return [
    'PID',
    '1',
    '',
    `${p.mrn}^^^${AUTHORITY}^MR`,
    '',
    `${p.family ?? 'Okafor'}^${p.given ?? 'Ngozi'}^A^^^^L`,
    '',
    p.birthDate ?? '19790214',
    p.sex ?? 'F',
    '',
    '',
    `${p.street ?? '12 Elm St'}^^Boston^MA^02118^USA^H`,
    '',
    telecom,
  ].join('|');
}

export function msh(type: string, controlId: string, version = '2.5.1'): string {
  return `MSH|^~\\&|EPIC|NORTH|CARELOOP|CL|20240301083000-0500||${type}|${controlId}|P|${version}`;
}

export interface VisitFields {
  visit?: string;
  patientClass?: string;
  /** YYYYMMDDHHMM with offset, e.g. 202403010815-0500. */
  admitAt?: string;
  dischargeAt?: string;
}

export function pv1(v: VisitFields): string {
  const fields = new Array<string>(46).fill('');
  fields[0] = 'PV1';
  fields[1] = '1';
  fields[2] = v.patientClass ?? 'I';
  fields[3] = 'W3^301^A';
  fields[10] = 'MED';
  fields[19] = v.visit ? `${v.visit}^^^NORTH^VN` : '';
  fields[44] = v.admitAt ?? '';
  fields[45] = v.dischargeAt ?? '';
  return fields.join('|');
}

export function adt(
  event: string,
  controlId: string,
  person: PersonFields,
  visit: VisitFields | null = null,
): string {
  return [
    msh(`ADT^${event}^ADT_A01`, controlId),
    `EVN|${event}|20240301083000-0500`,
    pid(person),
    ...(visit ? [pv1(visit)] : []),
  ].join('\r');
}

/** A40: `survivor` keeps; `priorMrn` is merged into it. */
export function merge(controlId: string, survivor: PersonFields, priorMrn: string): string {
  return [
    msh('ADT^A40^ADT_A39', controlId),
    'EVN|A40|20240301083000-0500',
    pid(survivor),
    `MRG|${priorMrn}^^^${AUTHORITY}^MR`,
  ].join('\r');
}

export interface BookingFields {
  filler?: string;
  placer?: string;
  /** YYYYMMDDHHMM with offset. */
  start?: string;
  minutes?: number;
  service?: string;
  status?: string;
  reason?: string;
}

export function siu(
  event: string,
  controlId: string,
  person: PersonFields,
  b: BookingFields,
): string {
  const sch = new Array<string>(26).fill('');
  sch[0] = 'SCH';
  sch[1] = b.placer ?? '';
  sch[2] = b.filler ?? '';
  sch[6] = b.reason ? `^${b.reason}` : '';
  sch[25] = b.status ?? 'Booked';
  return [
    msh(`SIU^${event}^SIU_S12`, controlId),
    sch.join('|'),
    pid(person),
    'RGS|1|A',
    `AIS|1|A|${b.service ?? 'FUV^Follow-up visit^L'}|${b.start ?? ''}|||${b.minutes ?? ''}|${b.minutes ? 'min' : ''}`,
  ].join('\r');
}

export function referral(controlId: string, person: PersonFields, referralId: string): string {
  return [
    msh('REF^I12^REF_I12', controlId),
    `RF1|P^Pending^HL70283|R^Routine^HL70280|Med^Medical^HL70281||O^Outpatient^HL70284|${referralId}^NORTH|20240301|20240601|20240301||||||||||||||`,
    'PRD|RP|Powell^Robert^^^Dr',
    'PRD|RT|McWilliams^Paul^^^Dr|2000 Park Ave^^Ann Arbor^MI|^^^Gastroenterology Clinic',
    pid(person),
  ].join('\r');
}

export function result(controlId: string, person: PersonFields): string {
  return [
    msh('ORU^R01^ORU_R01', controlId),
    pid(person),
    'OBR|1||R-1|718-7^Hemoglobin^LN',
    'OBX|1|NM|718-7^Hemoglobin^LN||13.2|g/dL|12-16|N|||F',
  ].join('\r');
}
