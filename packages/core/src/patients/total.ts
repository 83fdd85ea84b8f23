import type { PatientTotal } from '../api/patients.js';

const count = (n: number) => n.toLocaleString('en-US');

/** Two significant figures: an estimate should not look more precise than it is. */
function rounded(n: number): number {
  if (n < 100) return n;
  const scale = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.round(n / scale) * scale;
}

/** The patient list's total as staff read it: "1,234 patients", "about 120,000 patients". */
export function describePatientTotal(total: PatientTotal): string {
  const n = total.exact ? total.count : rounded(total.count);
  const noun = n === 1 ? 'patient' : 'patients';
  return total.exact ? `${count(n)} ${noun}` : `about ${count(n)} ${noun}`;
}
