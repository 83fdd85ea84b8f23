import type { TemplateLanguage } from './template-lint.js';

const LOCALES: Record<TemplateLanguage, string> = { en: 'en-US', es: 'es' };
const AT: Record<TemplateLanguage, string> = { en: 'at', es: 'a las' };

function format(
  at: Date,
  zone: string,
  language: TemplateLanguage,
  options: Intl.DateTimeFormatOptions,
) {
  // ICU puts a narrow no-break space before AM/PM; an SMS reads better (and stays GSM-7) with a space.
  return new Intl.DateTimeFormat(LOCALES[language], { timeZone: zone, ...options })
    .format(at)
    .replace(/[\u202f\u00a0]/g, ' ');
}

/** "Tuesday, March 3" / "martes, 3 de marzo", in the patient's zone. */
export function appointmentDate(at: Date, zone: string, language: TemplateLanguage): string {
  return format(at, zone, language, { weekday: 'long', month: 'long', day: 'numeric' });
}

/** "9:30 AM" / "9:30". */
export function appointmentTime(at: Date, zone: string, language: TemplateLanguage): string {
  return format(at, zone, language, { hour: 'numeric', minute: '2-digit' });
}

/** "Tuesday, March 3 at 9:30 AM" / "martes, 3 de marzo a las 9:30". */
export function appointmentStart(at: Date, zone: string, language: TemplateLanguage): string {
  return `${appointmentDate(at, zone, language)} ${AT[language]} ${appointmentTime(at, zone, language)}`;
}

/** The language a patient reads, among those templates exist in; else null. */
export function templateLanguage(preferred: string | null | undefined): TemplateLanguage | null {
  const base = (preferred ?? '').toLowerCase().split(/[-_]/)[0];
  return base === 'en' || base === 'es' ? base : null;
}
