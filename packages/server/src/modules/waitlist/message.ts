/**
 * The texts of waitlist messages: a time and a place, never the service or a reason (a message
 * may be read on a lock screen), in the patient's language (English or Spanish).
 */

export interface OfferText {
  subject: string;
  body: string;
}

export function followUpText(input: {
  language: string;
  givenName: string;
  organization: string;
  due: string;
  link: string;
}): OfferText {
  const [year, month] = input.due.split('-').map(Number);
  const monthName = new Intl.DateTimeFormat(input.language === 'es' ? 'es-US' : 'en-US', {
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(year ?? 2000, (month ?? 1) - 1, 15)));
  if (input.language === 'es') {
    return {
      subject: `${input.organization}: su próxima visita`,
      body: `${input.organization}: Hola ${input.givenName}, su próxima visita es hacia ${monthName}. Díganos qué días y horas le vienen bien y le ofreceremos una cita: ${input.link}`,
    };
  }
  return {
    subject: `${input.organization}: your next visit`,
    body: `${input.organization}: Hi ${input.givenName}, your next visit is due around ${monthName}. Tell us which days and times suit you and we will offer you a slot: ${input.link}`,
  };
}
