/**
 * Demo Health's three clinics, in three time zones (Phoenix keeps no daylight saving time),
 * and the neighborhoods their patients live in. Phone numbers are in the 555-01xx range the
 * North American Numbering Plan reserves for fiction.
 */

export interface City {
  name: string;
  postalCodes: readonly string[];
}

export interface ClinicProfile {
  /** The clinic's name after the organization's: "Demo Health Back Bay". */
  site: string;
  line1: string;
  city: string;
  state: string;
  postalCode: string;
  phone: string;
  timeZone: string;
  /** Share of the organization's patients. */
  share: number;
  areaCodes: readonly string[];
  cities: readonly City[];
  streets: readonly string[];
  /** Preferred languages of this clinic's patients (BCP 47), with weights. */
  languages: readonly (readonly [string, number])[];
  /** The state's Medicaid program, as patients name it. */
  medicaid: { payer: string; plan: string };
}

const COMMON_STREETS = [
  'Main St',
  'Oak St',
  'Maple Ave',
  'Washington St',
  'Elm St',
  'Park Ave',
  'Pine St',
  'Cedar Rd',
  'Highland Ave',
  'Walnut St',
  'Church St',
  'Spring St',
  'Center St',
  'Pleasant St',
  'School St',
  'Franklin St',
  'Chestnut St',
  'Jefferson Ave',
  'Lincoln Ave',
  'Madison Ave',
  'Hillside Ave',
  'River Rd',
  'Mill St',
  'Prospect St',
  'Union St',
  'Grove St',
  'Cherry Ln',
  'Willow Way',
];

export const CLINICS: readonly ClinicProfile[] = [
  {
    site: 'Back Bay',
    line1: '400 Boylston St',
    city: 'Boston',
    state: 'MA',
    postalCode: '02116',
    phone: '(617) 555-0100',
    timeZone: 'America/New_York',
    share: 45,
    areaCodes: ['617', '857', '781', '339', '508', '774', '978', '351'],
    cities: [
      {
        name: 'Boston',
        postalCodes: ['02115', '02116', '02118', '02124', '02125', '02127', '02130'],
      },
      { name: 'Cambridge', postalCodes: ['02138', '02139', '02140'] },
      { name: 'Somerville', postalCodes: ['02143', '02144', '02145'] },
      { name: 'Quincy', postalCodes: ['02169', '02170', '02171'] },
      { name: 'Brookline', postalCodes: ['02445', '02446'] },
      { name: 'Newton', postalCodes: ['02458', '02459', '02460'] },
      { name: 'Medford', postalCodes: ['02155'] },
      { name: 'Malden', postalCodes: ['02148'] },
      { name: 'Chelsea', postalCodes: ['02150'] },
      { name: 'Everett', postalCodes: ['02149'] },
      { name: 'Revere', postalCodes: ['02151'] },
    ],
    streets: [...COMMON_STREETS, 'Commonwealth Ave', 'Tremont St', 'Dorchester Ave', 'Beacon St'],
    languages: [
      ['en', 78],
      ['es', 10],
      ['zh', 3],
      ['ht', 2.5],
      ['pt', 2.5],
      ['vi', 2],
      ['ru', 1],
      ['ar', 1],
    ],
    medicaid: { payer: 'MassHealth', plan: 'MassHealth Standard' },
  },
  {
    site: 'Lincoln Park',
    line1: '2200 N Clark St',
    city: 'Chicago',
    state: 'IL',
    postalCode: '60614',
    phone: '(312) 555-0100',
    timeZone: 'America/Chicago',
    share: 35,
    areaCodes: ['312', '773', '872', '708', '847', '224', '630', '331'],
    cities: [
      {
        name: 'Chicago',
        postalCodes: ['60608', '60614', '60618', '60623', '60625', '60640', '60647'],
      },
      { name: 'Evanston', postalCodes: ['60201', '60202'] },
      { name: 'Oak Park', postalCodes: ['60302', '60304'] },
      { name: 'Cicero', postalCodes: ['60804'] },
      { name: 'Skokie', postalCodes: ['60076', '60077'] },
      { name: 'Berwyn', postalCodes: ['60402'] },
    ],
    streets: [...COMMON_STREETS, 'Western Ave', 'Milwaukee Ave', 'Halsted St', 'Belmont Ave'],
    languages: [
      ['en', 76],
      ['es', 16],
      ['zh', 2],
      ['ko', 1.5],
      ['ar', 1.5],
      ['ru', 1.5],
      ['vi', 1],
      ['pt', 0.5],
    ],
    medicaid: { payer: 'Illinois Medicaid', plan: 'HealthChoice Illinois' },
  },
  {
    site: 'Midtown Phoenix',
    line1: '3300 N Central Ave',
    city: 'Phoenix',
    state: 'AZ',
    postalCode: '85012',
    phone: '(602) 555-0100',
    timeZone: 'America/Phoenix',
    share: 20,
    areaCodes: ['602', '480', '623', '520', '928'],
    cities: [
      { name: 'Phoenix', postalCodes: ['85004', '85012', '85013', '85016', '85032', '85041'] },
      { name: 'Tempe', postalCodes: ['85281', '85282'] },
      { name: 'Mesa', postalCodes: ['85201', '85203'] },
      { name: 'Scottsdale', postalCodes: ['85251', '85257'] },
      { name: 'Glendale', postalCodes: ['85301', '85308'] },
      { name: 'Chandler', postalCodes: ['85224', '85226'] },
    ],
    streets: [...COMMON_STREETS, 'Camelback Rd', 'Indian School Rd', 'Mesa Dr', 'Thomas Rd'],
    languages: [
      ['en', 74],
      ['es', 22],
      ['vi', 1.5],
      ['zh', 1],
      ['ar', 1],
      ['ko', 0.5],
    ],
    medicaid: { payer: 'AHCCCS', plan: 'AHCCCS Complete Care' },
  },
];
