/**
 * The texts of waitlist messages: a time and a place, never the service or a reason (a message
 * may be read on a lock screen), in the patient's language (English or Spanish).
 */

export interface OfferText {
  subject: string;
  body: string;
}

function when(instant: Date, timeZone: string, language: string): string {
  return new Intl.DateTimeFormat(language === 'es' ? 'es-US' : 'en-US', {
    timeZone,
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(instant);
}

export function offerText(input: {
  language: string;
  givenName: string;
  organization: string;
  start: Date;
  timeZone: string;
  location: string | null;
  expiresAt: Date;
  link: string;
}): OfferText {
  const at = when(input.start, input.timeZone, input.language);
  const until = new Intl.DateTimeFormat(input.language === 'es' ? 'es-US' : 'en-US', {
    timeZone: input.timeZone,
    hour: 'numeric',
    minute: '2-digit',
  }).format(input.expiresAt);
  const place = input.location ? ` (${input.location})` : '';
  if (input.language === 'es') {
    return {
      subject: `${input.organization}: hay una cita disponible`,
      body: `${input.organization}: Hola ${input.givenName}, se liberó una cita el ${at}${place}. Resérvela antes de las ${until}: ${input.link}`,
    };
  }
  return {
    subject: `${input.organization}: an earlier appointment is available`,
    body: `${input.organization}: Hi ${input.givenName}, an appointment opened on ${at}${place}. Book it before ${until}: ${input.link}`,
  };
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
