import {
  type Channel,
  type ConsentStatus,
  normalizePhone,
  type Purpose,
  searchableName,
} from '@careloop/core';
import type { SeedClinic } from '../directory.js';
import type { Draw, PatientBundle } from './context.js';

export interface ConsentDecision {
  status: ConsentStatus;
  /** Local day it was recorded. */
  day: number;
  source: string;
}

/** How a patient can be reached, and what they agreed to be contacted about. */
export interface Reach {
  email: string | null;
  mobile: boolean;
  phone: boolean;
  channel: Channel;
  /** Keyed by `consentKey(channel, purpose)`. */
  consents: Map<string, ConsentDecision>;
  contactPoints: PatientBundle['contactPoints'];
}

export const consentKey = (channel: Channel, purpose: Purpose) => `${channel}:${purpose}`;

/** Whether a channel may be used for a purpose (no record: allowed except marketing). */
export function allowed(reach: Reach, channel: Channel, purpose: Purpose): boolean {
  const c = reach.consents.get(consentKey(channel, purpose));
  return c ? c.status === 'granted' : purpose !== 'marketing';
}

const phoneCache = new Map<string, { e164: string; display: string }>();
/** Normalized through core like any phone typed in, and cached: there are only ~2,000. */
function fictionalPhone(areaCode: string, line: number) {
  const raw = `(${areaCode}) 555-01${String(line).padStart(2, '0')}`;
  let phone = phoneCache.get(raw);
  if (!phone) {
    const normalized = normalizePhone(raw);
    if (!normalized) throw new Error(`not a phone number: ${raw}`);
    phone = normalized;
    phoneCache.set(raw, phone);
  }
  return phone;
}

const ascii = (s: string) => searchableName(s).replace(/[^a-z0-9]/g, '');

/** An address at one of the domains reserved for examples. */
export function emailFor(draw: Draw, given: string, family: string, birthYear: number): string {
  const { rng } = draw;
  const g = ascii(given);
  const f = ascii(family);
  const local = rng.weighted<string>([
    [`${g}.${f}`, 3],
    [`${g}${f}${rng.int(1, 999)}`, 3],
    [`${g.slice(0, 1)}${f}${rng.int(10, 99)}`, 2],
    [`${f}.${g}${String(birthYear).slice(2)}`, 2],
  ]);
  const domain = rng.weighted([
    ['example.com', 5],
    ['example.net', 2.5],
    ['example.org', 2.5],
  ] as const);
  return `${local}@${domain}`;
}

/**
 * Phones (almost everyone; most of them mobiles, fewer among the oldest), an email for most
 * adults (a child's is a parent's, passed in as `email`), the preferred channel, and consents.
 * `reachable` (the showcase patient) has all of them and opted into email news.
 */
export function drawReach(
  draw: Draw,
  patient: { id: string; age: number; clinic: SeedClinic; registeredDay: number },
  email: (chance: number) => string | null,
  reachable: boolean,
): Reach {
  const { rng, ctx } = draw;
  const { age, clinic } = patient;
  const phone = reachable || rng.chance(0.97);
  const mobile = reachable || (phone && rng.chance(age >= 80 ? 0.6 : 0.88));
  const address = email(
    reachable ? 1 : age < 13 ? 0.55 : age < 18 ? 0.6 : age < 65 ? 0.9 : age < 80 ? 0.7 : 0.45,
  );
  const contactPoints: PatientBundle['contactPoints'] = [];
  const add = (system: 'phone' | 'email', value: string, display: string, use: string) =>
    contactPoints.push({
      id: draw.newId(),
      orgId: ctx.directory.orgId,
      patientId: patient.id,
      system,
      value,
      display,
      use,
      isPrimary: !contactPoints.some((c) => c.system === system),
    });
  if (phone) {
    const first = fictionalPhone(rng.pick(clinic.profile.areaCodes), rng.int(0, 99));
    add('phone', first.e164, first.display, mobile ? 'mobile' : 'home');
    if (rng.chance(0.12)) {
      const second = fictionalPhone(rng.pick(clinic.profile.areaCodes), rng.int(0, 99));
      const use = age >= 18 && age < 65 ? 'work' : 'home';
      if (second.e164 !== first.e164) add('phone', second.e164, second.display, use);
    }
  }
  if (address) add('email', address, address, 'home');
  const has = { email: address !== null, mobile, phone };
  const consents = drawConsents(draw, patient.registeredDay, has);
  if (reachable) {
    const day = patient.registeredDay;
    consents.set(consentKey('sms', 'treatment-reminders'), {
      status: 'granted',
      day,
      source: 'registration',
    });
    consents.set(consentKey('email', 'treatment-reminders'), {
      status: 'granted',
      day,
      source: 'registration',
    });
    consents.set(consentKey('email', 'marketing'), {
      status: 'granted',
      day: day + 30,
      source: 'portal',
    });
  }
  return {
    email: address,
    mobile,
    phone,
    channel: reachable ? 'sms' : preferredChannel(draw, age, has),
    consents,
    contactPoints,
  };
}

/** Older patients lean to the phone and mail; everyone gets a channel they can be reached on. */
function preferredChannel(
  draw: Draw,
  age: number,
  has: { email: boolean; mobile: boolean; phone: boolean },
): Channel {
  const wanted = draw.rng.weighted<Channel>(
    age >= 65
      ? [
          ['phone', 35],
          ['email', 25],
          ['sms', 22],
          ['portal', 8],
          ['mail', 10],
        ]
      : [
          ['sms', 48],
          ['email', 28],
          ['portal', 12],
          ['phone', 10],
          ['mail', 2],
        ],
  );
  const reachable: Record<Channel, boolean> = {
    sms: has.mobile,
    email: has.email,
    phone: has.phone,
    portal: has.email,
    mail: true,
  };
  if (reachable[wanted]) return wanted;
  if (has.mobile) return 'sms';
  if (has.phone) return 'phone';
  return has.email ? 'email' : 'mail';
}

/**
 * Consent decisions recorded at registration (treatment reminders, care follow-up) and the
 * marketing choices some patients made later. Absent cells fall back to `mayContact`'s default.
 */
function drawConsents(
  draw: Draw,
  registeredDay: number,
  has: { email: boolean; mobile: boolean; phone: boolean },
): Map<string, ConsentDecision> {
  const { rng, ctx } = draw;
  const consents = new Map<string, ConsentDecision>();
  const record = (
    channel: Channel,
    purpose: Purpose,
    status: ConsentStatus,
    day = registeredDay,
    source = 'registration',
  ) => consents.set(consentKey(channel, purpose), { status, day, source });
  const later = () => Math.min(ctx.anchorDay - 1, registeredDay + rng.int(0, 900));
  if (has.mobile) record('sms', 'treatment-reminders', rng.chance(0.9) ? 'granted' : 'denied');
  if (has.email) record('email', 'treatment-reminders', rng.chance(0.95) ? 'granted' : 'denied');
  if (has.phone) record('phone', 'treatment-reminders', 'granted');
  if (has.email && rng.chance(0.9)) record('email', 'care-follow-up', 'granted');
  if (has.mobile && rng.chance(0.6)) record('sms', 'care-follow-up', 'granted');
  if (has.email) {
    const r = rng.next();
    const source = rng.pick(['portal', 'web', 'paper-form']);
    if (r < 0.3) record('email', 'marketing', 'granted', later(), source);
    else if (r < 0.45) record('email', 'marketing', 'denied');
  }
  if (has.mobile) {
    const r = rng.next();
    const source = rng.pick(['portal', 'sms-keyword']);
    if (r < 0.12) record('sms', 'marketing', 'granted', later(), source);
    else if (r < 0.32) record('sms', 'marketing', 'denied');
  }
  if (rng.chance(0.05)) record('mail', 'marketing', 'denied');
  return consents;
}

/** Consent rows, each recorded at the time of day the patient registered. */
export function consentRows(
  draw: Draw,
  patient: { id: string; clinic: SeedClinic; registeredMinute: number },
  reach: Reach,
): PatientBundle['consents'] {
  return [...reach.consents].map(([key, c]) => {
    const [channel = '', purpose = ''] = key.split(':');
    return {
      id: draw.newId(),
      orgId: draw.ctx.directory.orgId,
      patientId: patient.id,
      channel,
      purpose,
      status: c.status,
      source: c.source,
      recordedAt: new Date(patient.clinic.clock.at(c.day, patient.registeredMinute)),
    };
  });
}
