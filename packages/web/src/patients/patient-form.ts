import type {
  AdministrativeSex,
  Channel,
  Patient360,
  PatientCreate,
  PatientUpdate,
} from '@careloop/core';

type ContactUse = 'mobile' | 'home' | 'work';
type AddressUse = 'home' | 'work' | 'mailing';

/** What the patient form edits: the API's create body with every field as an input value. */
export interface PatientFormValues {
  givenName: string;
  middleName: string;
  familyName: string;
  preferredName: string;
  birthDate: string | null;
  administrativeSex: AdministrativeSex | null;
  genderIdentity: string;
  preferredLanguage: string;
  preferredChannel: Channel | null;
  timeZone: string | null;
  primaryLocationId: string | null;
  flags: string[];
  contactPoints: {
    key: string;
    system: 'phone' | 'email';
    value: string;
    use: ContactUse | null;
  }[];
  addresses: {
    key: string;
    use: AddressUse | null;
    line1: string;
    line2: string;
    city: string;
    state: string;
    postalCode: string;
    country: string;
  }[];
  identifiers: {
    key: string;
    system: string;
    value: string;
    type: string;
    source: string | null;
  }[];
}

export const FORM_FIELDS = [
  'givenName',
  'middleName',
  'familyName',
  'preferredName',
  'birthDate',
  'administrativeSex',
  'genderIdentity',
  'preferredLanguage',
  'preferredChannel',
  'timeZone',
  'primaryLocationId',
  'flags',
  'contactPoints',
  'addresses',
  'identifiers',
] as const satisfies readonly (keyof PatientFormValues)[];

/** List rows need a stable React key that is not sent to the server. */
export const rowKey = () => crypto.randomUUID();

const contactUse = (use: string): ContactUse | null =>
  use === 'mobile' || use === 'home' || use === 'work' ? use : null;
const addressUse = (use: string): AddressUse | null =>
  use === 'home' || use === 'work' || use === 'mailing' ? use : null;

export function emptyPatientForm(): PatientFormValues {
  return {
    givenName: '',
    middleName: '',
    familyName: '',
    preferredName: '',
    birthDate: null,
    administrativeSex: null,
    genderIdentity: '',
    preferredLanguage: 'en',
    preferredChannel: null,
    timeZone: null,
    primaryLocationId: null,
    flags: [],
    contactPoints: [],
    addresses: [],
    identifiers: [],
  };
}

export function formFrom360(record: Patient360): PatientFormValues {
  const p = record.patient;
  return {
    givenName: p.givenName,
    middleName: p.middleName ?? '',
    familyName: p.familyName,
    preferredName: p.preferredName ?? '',
    birthDate: p.birthDate,
    administrativeSex: p.administrativeSex,
    genderIdentity: p.genderIdentity ?? '',
    preferredLanguage: p.preferredLanguage,
    preferredChannel: p.preferredChannel,
    timeZone: p.timeZone,
    primaryLocationId: p.primaryLocation?.id ?? null,
    flags: p.flags,
    contactPoints: record.contactPoints.map((c) => ({
      key: c.id,
      system: c.system,
      value: c.display || c.value,
      use: contactUse(c.use),
    })),
    addresses: record.addresses.map((a) => ({
      key: a.id,
      use: addressUse(a.use),
      line1: a.line1,
      line2: a.line2 ?? '',
      city: a.city,
      state: a.state,
      postalCode: a.postalCode,
      country: a.country,
    })),
    identifiers: record.identifiers.map((i) => ({
      key: i.id,
      system: i.system,
      value: i.value,
      type: i.type ?? '',
      source: i.source,
    })),
  };
}

const orNull = (value: string) => (value.trim() ? value.trim() : null);

function toBody(values: PatientFormValues): PatientCreate {
  if (!values.birthDate || !values.administrativeSex) {
    // The form validates these before submitting; reaching here is a programming error.
    throw new Error('Birth date and sex are required');
  }
  return {
    givenName: values.givenName.trim(),
    middleName: orNull(values.middleName),
    familyName: values.familyName.trim(),
    preferredName: orNull(values.preferredName),
    birthDate: values.birthDate,
    administrativeSex: values.administrativeSex,
    genderIdentity: orNull(values.genderIdentity),
    preferredLanguage: values.preferredLanguage,
    ...(values.preferredChannel ? { preferredChannel: values.preferredChannel } : {}),
    ...(values.timeZone ? { timeZone: values.timeZone } : {}),
    primaryLocationId: values.primaryLocationId,
    flags: values.flags,
    contactPoints: values.contactPoints.map((c) => ({
      system: c.system,
      value: c.value.trim(),
      ...(c.use ? { use: c.use } : {}),
    })),
    addresses: values.addresses.map((a) => ({
      ...(a.use ? { use: a.use } : {}),
      line1: a.line1.trim(),
      line2: orNull(a.line2),
      city: a.city.trim(),
      state: a.state.trim(),
      postalCode: a.postalCode.trim(),
      country: a.country.trim().toUpperCase() || 'US',
    })),
    identifiers: values.identifiers.map((i) => ({
      system: i.system.trim(),
      value: i.value.trim(),
      ...(i.type.trim() ? { type: i.type.trim() } : {}),
      ...(i.source ? { source: i.source } : {}),
    })),
  };
}

export const toCreateBody = toBody;

/** Only the fields the user changed: arrays replace the stored ones, so untouched ones stay out. */
export function toUpdateBody(
  values: PatientFormValues,
  isDirty: (field: keyof PatientFormValues) => boolean,
): PatientUpdate {
  const full = toBody(values);
  const body: PatientUpdate = {};
  for (const field of FORM_FIELDS) {
    if (isDirty(field)) Object.assign(body, { [field]: full[field] });
  }
  // The server's update schema fills a missing language with its default ('en'), which
  // would silently switch a Spanish speaker to English: always send the current one.
  if (Object.keys(body).length > 0) body.preferredLanguage = full.preferredLanguage;
  return body;
}
