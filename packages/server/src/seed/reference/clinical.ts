/**
 * Clinical reference data for the demo: what a primary-care population is treated for (with
 * SNOMED CT and ICD-10-CM codes and rough US prevalence by age), what the clinics offer, and
 * who pays.
 */

export const ICD10_CM = 'http://hl7.org/fhir/sid/icd-10-cm';
export const SNOMED_CT = 'http://snomed.info/sct';

export type ConditionKey =
  | 'hypertension'
  | 'type2-diabetes'
  | 'prediabetes'
  | 'hyperlipidemia'
  | 'obesity'
  | 'asthma'
  | 'copd'
  | 'depression'
  | 'anxiety'
  | 'ckd3'
  | 'hypothyroidism'
  | 'knee-osteoarthritis'
  | 'atrial-fibrillation'
  | 'coronary-artery-disease'
  | 'gerd'
  | 'low-back-pain'
  | 'allergic-rhinitis'
  | 'nicotine-dependence';

export interface ConditionProfile {
  key: ConditionKey;
  snomed: string;
  icd10: string;
  display: string;
  /** How a visit reason names it: "Follow-up: type 2 diabetes". */
  label: string;
  /** Chance that a patient of this age and sex has it on their problem list. */
  prevalence: (age: number, sex: 'female' | 'male') => number;
  /** Chance that it has since resolved (abatement recorded). */
  resolves: number;
  /** Counts toward visit frequency (chronic disease management). */
  chronic: boolean;
}

/** Prevalence by age band: `[minimum age, probability]`, ascending. */
const byAge =
  (...bands: readonly (readonly [number, number])[]) =>
  (age: number): number => {
    let p = 0;
    for (const [from, value] of bands) if (age >= from) p = value;
    return p;
  };

export const CONDITIONS: readonly ConditionProfile[] = [
  {
    key: 'hypertension',
    snomed: '59621000',
    icd10: 'I10',
    display: 'Essential hypertension',
    label: 'hypertension',
    prevalence: byAge([0, 0.01], [18, 0.08], [40, 0.33], [60, 0.6], [75, 0.7]),
    resolves: 0,
    chronic: true,
  },
  {
    key: 'type2-diabetes',
    snomed: '44054006',
    icd10: 'E11.9',
    display: 'Type 2 diabetes mellitus without complications',
    label: 'type 2 diabetes',
    prevalence: byAge([0, 0.002], [18, 0.03], [45, 0.14], [65, 0.25]),
    resolves: 0,
    chronic: true,
  },
  {
    key: 'prediabetes',
    snomed: '714628002',
    icd10: 'R73.03',
    display: 'Prediabetes',
    label: 'prediabetes',
    prevalence: byAge([0, 0], [18, 0.05], [45, 0.12], [65, 0.14]),
    resolves: 0.1,
    chronic: false,
  },
  {
    key: 'hyperlipidemia',
    snomed: '55822004',
    icd10: 'E78.5',
    display: 'Hyperlipidemia, unspecified',
    label: 'cholesterol',
    prevalence: byAge([0, 0.005], [20, 0.08], [40, 0.25], [60, 0.45]),
    resolves: 0,
    chronic: true,
  },
  {
    key: 'obesity',
    snomed: '414916001',
    icd10: 'E66.9',
    display: 'Obesity, unspecified',
    label: 'weight management',
    prevalence: byAge([0, 0.08], [18, 0.2], [40, 0.24], [70, 0.16]),
    resolves: 0.05,
    chronic: false,
  },
  {
    key: 'asthma',
    snomed: '195967001',
    icd10: 'J45.909',
    display: 'Unspecified asthma, uncomplicated',
    label: 'asthma',
    prevalence: byAge([0, 0.07], [18, 0.08]),
    resolves: 0.05,
    chronic: true,
  },
  {
    key: 'copd',
    snomed: '13645005',
    icd10: 'J44.9',
    display: 'Chronic obstructive pulmonary disease, unspecified',
    label: 'COPD',
    prevalence: byAge([0, 0], [45, 0.05], [65, 0.1]),
    resolves: 0,
    chronic: true,
  },
  {
    key: 'depression',
    snomed: '35489007',
    icd10: 'F32.A',
    display: 'Depression, unspecified',
    label: 'depression',
    prevalence: byAge([0, 0.02], [12, 0.05], [18, 0.09], [65, 0.07]),
    resolves: 0.2,
    chronic: true,
  },
  {
    key: 'anxiety',
    snomed: '21897009',
    icd10: 'F41.1',
    display: 'Generalized anxiety disorder',
    label: 'anxiety',
    prevalence: byAge([0, 0.02], [12, 0.05], [18, 0.08], [65, 0.05]),
    resolves: 0.1,
    chronic: false,
  },
  {
    key: 'ckd3',
    snomed: '433144002',
    icd10: 'N18.30',
    display: 'Chronic kidney disease, stage 3 unspecified',
    label: 'kidney function',
    prevalence: byAge([0, 0], [45, 0.03], [60, 0.1], [75, 0.18]),
    resolves: 0,
    chronic: true,
  },
  {
    key: 'hypothyroidism',
    snomed: '40930008',
    icd10: 'E03.9',
    display: 'Hypothyroidism, unspecified',
    label: 'thyroid',
    prevalence: (age, sex) => (age < 18 ? 0.005 : sex === 'female' ? 0.08 : 0.02),
    resolves: 0,
    chronic: false,
  },
  {
    key: 'knee-osteoarthritis',
    snomed: '239873007',
    icd10: 'M17.9',
    display: 'Osteoarthritis of knee, unspecified',
    label: 'knee pain',
    prevalence: byAge([0, 0], [45, 0.05], [55, 0.12], [70, 0.2]),
    resolves: 0,
    chronic: false,
  },
  {
    key: 'atrial-fibrillation',
    snomed: '49436004',
    icd10: 'I48.91',
    display: 'Unspecified atrial fibrillation',
    label: 'atrial fibrillation',
    prevalence: byAge([0, 0], [50, 0.01], [65, 0.06], [80, 0.1]),
    resolves: 0,
    chronic: true,
  },
  {
    key: 'coronary-artery-disease',
    snomed: '53741008',
    icd10: 'I25.10',
    display: 'Atherosclerotic heart disease of native coronary artery',
    label: 'heart disease',
    prevalence: (age, sex) => (age < 45 ? 0 : age < 65 ? 0.04 : sex === 'male' ? 0.14 : 0.08),
    resolves: 0,
    chronic: true,
  },
  {
    key: 'gerd',
    snomed: '235595009',
    icd10: 'K21.9',
    display: 'Gastro-esophageal reflux disease without esophagitis',
    label: 'reflux',
    prevalence: byAge([0, 0.01], [18, 0.08], [40, 0.12]),
    resolves: 0.15,
    chronic: false,
  },
  {
    key: 'low-back-pain',
    snomed: '279039007',
    icd10: 'M54.50',
    display: 'Low back pain, unspecified',
    label: 'back pain',
    prevalence: byAge([0, 0.005], [18, 0.08], [40, 0.12]),
    resolves: 0.45,
    chronic: false,
  },
  {
    key: 'allergic-rhinitis',
    snomed: '61582004',
    icd10: 'J30.9',
    display: 'Allergic rhinitis, unspecified',
    label: 'allergies',
    prevalence: byAge([0, 0.1], [18, 0.09], [65, 0.05]),
    resolves: 0,
    chronic: false,
  },
  {
    key: 'nicotine-dependence',
    snomed: '56294008',
    icd10: 'F17.210',
    display: 'Nicotine dependence, cigarettes, uncomplicated',
    label: 'smoking cessation',
    prevalence: byAge([0, 0], [18, 0.09], [45, 0.13], [65, 0.08]),
    resolves: 0.2,
    chronic: false,
  },
];

/** The kinds of clinician a service is delivered by. */
export type ClinicianKind =
  | 'primary-care'
  | 'nurse-practitioner'
  | 'cardiology'
  | 'endocrinology'
  | 'radiology'
  | 'physical-therapy'
  | 'diabetes-education';

export type ServiceCode =
  | 'primary-care-visit'
  | 'annual-wellness'
  | 'telehealth-visit'
  | 'mammography'
  | 'diabetes-education'
  | 'cardiology-consult'
  | 'physical-therapy'
  | 'flu-vaccine';

export interface ServiceProfile {
  code: ServiceCode;
  name: string;
  description: string;
  minutes: number;
  deliveredBy: readonly ClinicianKind[];
  telehealth: boolean;
}

export const SERVICES: readonly ServiceProfile[] = [
  {
    code: 'primary-care-visit',
    name: 'Primary care visit',
    description: 'Office visit with a primary care provider: new problems and chronic care.',
    minutes: 30,
    deliveredBy: ['primary-care', 'nurse-practitioner'],
    telehealth: false,
  },
  {
    code: 'annual-wellness',
    name: 'Annual wellness visit',
    description: 'Yearly preventive visit: screenings, immunizations, care plan review.',
    minutes: 45,
    deliveredBy: ['primary-care'],
    telehealth: false,
  },
  {
    code: 'telehealth-visit',
    name: 'Telehealth visit',
    description: 'Video visit with a primary care provider.',
    minutes: 20,
    deliveredBy: ['primary-care', 'nurse-practitioner'],
    telehealth: true,
  },
  {
    code: 'mammography',
    name: 'Screening mammography',
    description: 'Bilateral screening mammogram with tomosynthesis.',
    minutes: 30,
    deliveredBy: ['radiology'],
    telehealth: false,
  },
  {
    code: 'diabetes-education',
    name: 'Diabetes self-management education',
    description: 'Session with a certified diabetes care and education specialist.',
    minutes: 60,
    deliveredBy: ['diabetes-education'],
    telehealth: false,
  },
  {
    code: 'cardiology-consult',
    name: 'Cardiology consult',
    description: 'Consultation with a cardiologist on referral.',
    minutes: 45,
    deliveredBy: ['cardiology'],
    telehealth: false,
  },
  {
    code: 'physical-therapy',
    name: 'Physical therapy',
    description: 'Physical therapy session (evaluation or treatment).',
    minutes: 45,
    deliveredBy: ['physical-therapy'],
    telehealth: false,
  },
  {
    code: 'flu-vaccine',
    name: 'Flu vaccine',
    description: 'Seasonal influenza vaccination, nurse visit.',
    minutes: 15,
    deliveredBy: ['nurse-practitioner'],
    telehealth: false,
  },
];

export interface PayerPlan {
  payer: string;
  plans: readonly string[];
  /** Letters of its member ids. */
  prefix: string;
  /** Only sold in these states (all when absent). */
  states?: readonly string[];
}

export const COMMERCIAL_PAYERS: readonly (readonly [PayerPlan, number])[] = [
  [
    { payer: 'Blue Cross Blue Shield', plans: ['PPO', 'HMO Blue', 'Blue Choice'], prefix: 'XBC' },
    30,
  ],
  [{ payer: 'UnitedHealthcare', plans: ['Choice Plus PPO', 'Navigate HMO'], prefix: 'UHC' }, 22],
  [{ payer: 'Aetna', plans: ['Open Access Managed Choice', 'Aetna HMO'], prefix: 'W' }, 18],
  [{ payer: 'Cigna', plans: ['Open Access Plus', 'LocalPlus'], prefix: 'U' }, 14],
  [
    { payer: 'Harvard Pilgrim Health Care', plans: ['HMO', 'PPO'], prefix: 'HPH', states: ['MA'] },
    8,
  ],
  [
    { payer: 'Tufts Health Plan', plans: ['Direct', 'Navigator'], prefix: 'THP', states: ['MA'] },
    6,
  ],
  [{ payer: 'Humana', plans: ['National POS'], prefix: 'H' }, 4],
];

export const MEDICARE_ADVANTAGE: readonly PayerPlan[] = [
  { payer: 'Humana', plans: ['Humana Gold Plus HMO'], prefix: 'H' },
  { payer: 'UnitedHealthcare', plans: ['AARP Medicare Advantage'], prefix: 'UHC' },
  { payer: 'Aetna', plans: ['Aetna Medicare Eagle PPO'], prefix: 'W' },
  { payer: 'Blue Cross Blue Shield', plans: ['Medicare Advantage PPO'], prefix: 'XBM' },
];

export const MEDIGAP: readonly PayerPlan[] = [
  { payer: 'Blue Cross Blue Shield', plans: ['Medigap Plan G'], prefix: 'XBG' },
  { payer: 'UnitedHealthcare', plans: ['AARP Medicare Supplement Plan N'], prefix: 'UHS' },
];
