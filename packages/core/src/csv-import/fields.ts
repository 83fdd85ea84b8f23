/** What a file holds: one row per patient, or one row per appointment. */
export const IMPORT_TYPES = ['patients', 'appointments'] as const;
export type ImportType = (typeof IMPORT_TYPES)[number];

/**
 * How a field takes values from more than one column: `single` allows one column, `join` joins
 * them with a space (street number + street name), `list` keeps each (two phone columns).
 */
export type Cardinality = 'single' | 'join' | 'list';

/** A Careloop field a CSV column can be mapped to. */
export interface ImportField {
  key: string;
  label: string;
  description: string;
  required: boolean;
  cardinality: Cardinality;
  /** Header names that mean this field, compared in a loose form (see `headerKey`). */
  synonyms: readonly string[];
}

/** The identifier system of a medical record number assigned by the clinic itself. */
export const MRN_SYSTEM = 'urn:careloop:mrn';
/** US Social Security numbers (FHIR's system URI). */
export const SSN_SYSTEM = 'http://hl7.org/fhir/sid/us-ssn';
/** A column mapped to `identifier:<system>` becomes an identifier of that system. */
export const IDENTIFIER_PREFIX = 'identifier:';

const field = (
  key: string,
  label: string,
  description: string,
  synonyms: readonly string[],
  options: { required?: boolean; cardinality?: Cardinality } = {},
): ImportField => ({
  key,
  label,
  description,
  required: options.required ?? false,
  cardinality: options.cardinality ?? 'single',
  synonyms,
});

export const PATIENT_FIELDS: readonly ImportField[] = [
  field(
    'sourceId',
    'Source record id',
    'The sending system’s own id for the person; a re-import of the same id updates the same patient',
    ['id', 'patient id', 'record id', 'rec id', 'source id', 'external id', 'person id', 'uuid'],
  ),
  field('mrn', 'MRN', 'Medical record number assigned by this clinic', [
    'mrn',
    'medical record number',
    'medical record no',
    'med rec no',
    'chart',
    'chart number',
    'chart no',
    'patient number',
  ]),
  field('ssn', 'SSN', 'US Social Security number', [
    'ssn',
    'social security number',
    'social security',
    'soc sec id',
    'social security no',
  ]),
  field(
    'givenName',
    'Given name',
    'First name',
    ['first name', 'given name', 'first', 'given', 'forename', 'fname', 'firstname', 'givenname'],
    { required: true },
  ),
  field('middleName', 'Middle name', 'Middle name or initial', [
    'middle name',
    'middle',
    'middle initial',
    'mi',
    'second name',
  ]),
  field(
    'familyName',
    'Family name',
    'Last name',
    ['last name', 'surname', 'family name', 'last', 'lname', 'lastname', 'familyname'],
    { required: true },
  ),
  field(
    'birthDate',
    'Birth date',
    'YYYY-MM-DD, YYYYMMDD or MM/DD/YYYY (day first when the import says so)',
    ['dob', 'date of birth', 'birth date', 'birthdate', 'birthday', 'born', 'd o b'],
    { required: true },
  ),
  field('sex', 'Sex', 'M, F, O, U or male, female, other, unknown; unknown when empty', [
    'sex',
    'gender',
    'administrative sex',
    'sex at birth',
  ]),
  field(
    'line1',
    'Address line 1',
    'Street and number; several columns are joined',
    [
      'address',
      'address 1',
      'address1',
      'address line 1',
      'street',
      'street address',
      'street number',
      'house number',
      'line 1',
    ],
    { cardinality: 'join' },
  ),
  field(
    'line2',
    'Address line 2',
    'Unit, building',
    ['address 2', 'address2', 'address line 2', 'line 2', 'apt', 'unit', 'suite'],
    { cardinality: 'join' },
  ),
  field('city', 'City', 'City, town or suburb', ['city', 'town', 'suburb', 'locality']),
  field('state', 'State', 'State, province or region', ['state', 'province', 'region', 'st']),
  field('postalCode', 'Postal code', 'ZIP or postal code', [
    'zip',
    'zip code',
    'zipcode',
    'postal code',
    'postcode',
    'post code',
  ]),
  field(
    'phone',
    'Phone',
    'Any format; stored as E.164 (US numbers when no country code)',
    [
      'phone',
      'phone number',
      'telephone',
      'tel',
      'mobile',
      'cell',
      'cell phone',
      'mobile phone',
      'home phone',
      'work phone',
    ],
    { cardinality: 'list' },
  ),
  field('email', 'Email', 'Email address', ['email', 'e mail', 'email address', 'mail'], {
    cardinality: 'list',
  }),
  field('preferredLanguage', 'Preferred language', 'BCP 47 code (en, es) or an English name', [
    'language',
    'preferred language',
    'lang',
    'primary language',
  ]),
];

export const APPOINTMENT_FIELDS: readonly ImportField[] = [
  field(
    'sourceId',
    'Appointment id',
    'The sending system’s own id for the appointment; a re-import of the same id updates it',
    ['id', 'appointment id', 'appt id', 'visit id', 'encounter id', 'booking id', 'source id'],
  ),
  field('patientMrn', 'Patient MRN', 'The patient’s medical record number in this clinic', [
    'mrn',
    'patient mrn',
    'medical record number',
    'chart number',
  ]),
  field(
    'patientSourceId',
    'Patient source id',
    'The patient’s source record id from an earlier CSV import of patients',
    ['patient', 'patient id', 'person id', 'patient source id'],
  ),
  field('start', 'Start', 'Date and time, e.g. 2026-03-02 09:30 or 03/02/2026 9:30 AM', [
    'start',
    'start time',
    'start date time',
    'starts at',
    'appointment time',
    'appointment date time',
    'scheduled',
    'when',
  ]),
  field('date', 'Date', 'The date, when the time is in its own column', [
    'date',
    'appointment date',
    'appt date',
    'visit date',
  ]),
  field('time', 'Time', 'The start time, when the date is in its own column', [
    'time',
    'appointment time of day',
    'appt time',
  ]),
  field('end', 'End', 'Date and time the appointment ends', ['end', 'end time', 'stop', 'ends at']),
  field('durationMinutes', 'Duration (minutes)', 'Used when there is no end; else the service’s', [
    'duration',
    'minutes',
    'length',
    'duration minutes',
    'mins',
  ]),
  field(
    'status',
    'Status',
    'booked, arrived, fulfilled, cancelled, noshow, proposed; booked when empty',
    ['status', 'appointment status', 'state of appointment'],
  ),
  field('service', 'Service', 'Service line name or code from the directory', [
    'service',
    'service line',
    'visit type',
    'appointment type',
    'type',
  ]),
  field('practitioner', 'Practitioner', 'Name (“Jane Smith”, “Smith, Jane”) or NPI', [
    'practitioner',
    'provider',
    'doctor',
    'clinician',
    'physician',
    'npi',
  ]),
  field('location', 'Location', 'Location name from the directory', [
    'location',
    'clinic',
    'site',
    'facility',
    'office',
  ]),
  field('telehealth', 'Telehealth', 'yes/no, true/false, video, virtual, in person', [
    'telehealth',
    'virtual',
    'video',
    'telemedicine',
  ]),
  field('reason', 'Reason', 'Reason for the visit, as staff would read it', [
    'reason',
    'reason for visit',
    'chief complaint',
    'notes',
    'description',
  ]),
];

export const FIELD_CATALOGS: Readonly<Record<ImportType, readonly ImportField[]>> = {
  patients: PATIENT_FIELDS,
  appointments: APPOINTMENT_FIELDS,
};

/** The catalog entry of a key; `identifier:<system>` answers for any non-empty system. */
export function importFieldOf(type: ImportType, key: string): ImportField | null {
  const found = FIELD_CATALOGS[type].find((f) => f.key === key);
  if (found) return found;
  if (type === 'patients' && key.startsWith(IDENTIFIER_PREFIX)) {
    const system = key.slice(IDENTIFIER_PREFIX.length).trim();
    if (system === '') return null;
    return {
      key,
      label: `Identifier (${system})`,
      description: `An identifier issued by ${system}`,
      required: false,
      cardinality: 'single',
      synonyms: [],
    };
  }
  return null;
}
