import { useCallback, useSyncExternalStore } from 'react';

/** The portal's languages (issue 13: English and Spanish). */
export type PortalLanguage = 'en' | 'es';

const STORAGE_KEY = 'careloop.portal.language';

/**
 * The portal's strings for booking and appointments, in English and Spanish. `{name}` is
 * replaced by the value given for it. A missing Spanish string fails the build, not a page.
 */
const STRINGS = {
  language: { en: 'Language', es: 'Idioma' },
  bookTitle: { en: 'Book a visit', es: 'Reservar una cita' },
  bookIntro: {
    en: 'Choose a visit, a place, a practitioner and a time. Times are shown in the clinic’s time zone.',
    es: 'Elija el tipo de cita, el lugar, el profesional y la hora. Las horas se muestran en la zona horaria de la clínica.',
  },
  service: { en: 'Type of visit', es: 'Tipo de cita' },
  location: { en: 'Where', es: 'Dónde' },
  practitioner: { en: 'Practitioner', es: 'Profesional' },
  firstAvailable: { en: 'First available', es: 'El primero disponible' },
  videoVisit: { en: 'Video visit', es: 'Consulta por video' },
  inPerson: { en: 'In person', es: 'En persona' },
  minutes: { en: '{n} minutes', es: '{n} minutos' },
  chooseTime: { en: 'Choose a time', es: 'Elija una hora' },
  noSlots: {
    en: 'No open times in the next two weeks. Try another practitioner or place, or call us.',
    es: 'No hay horas libres en las próximas dos semanas. Pruebe con otro profesional o lugar, o llámenos.',
  },
  loadingSlots: { en: 'Looking for open times', es: 'Buscando horas libres' },
  laterTimes: { en: 'Later times', es: 'Horas más adelante' },
  earlierTimes: { en: 'Earlier times', es: 'Horas anteriores' },
  confirmTitle: { en: 'Confirm your visit', es: 'Confirme su cita' },
  confirm: { en: 'Confirm booking', es: 'Confirmar la cita' },
  back: { en: 'Back', es: 'Volver' },
  booked: {
    en: 'Your visit is booked. A confirmation is on its way by email.',
    es: 'Su cita está reservada. Le enviamos una confirmación por correo electrónico.',
  },
  slotTaken: {
    en: 'Someone just booked this time. Please choose another.',
    es: 'Alguien acaba de reservar esta hora. Por favor, elija otra.',
  },
  myAppointments: { en: 'My appointments', es: 'Mis citas' },
  upcoming: { en: 'Upcoming', es: 'Próximas' },
  past: { en: 'Past and cancelled', es: 'Pasadas y canceladas' },
  noUpcoming: { en: 'No upcoming appointments', es: 'No tiene citas próximas' },
  noPast: { en: 'Nothing here yet', es: 'Nada por aquí todavía' },
  addToCalendar: { en: 'Add to calendar (.ics)', es: 'Añadir al calendario (.ics)' },
  joinVideo: { en: 'Join the video visit', es: 'Entrar a la consulta por video' },
  reschedule: { en: 'Reschedule', es: 'Cambiar la hora' },
  cancel: { en: 'Cancel', es: 'Cancelar' },
  cancelTitle: { en: 'Cancel this appointment?', es: '¿Cancelar esta cita?' },
  cancelReason: { en: 'Reason (optional)', es: 'Motivo (opcional)' },
  keep: { en: 'Keep it', es: 'Mantenerla' },
  cancelIt: { en: 'Cancel appointment', es: 'Cancelar la cita' },
  cancelled: { en: 'Your appointment is cancelled.', es: 'Su cita ha sido cancelada.' },
  moved: { en: 'Your appointment is moved.', es: 'Su cita ha sido cambiada.' },
  rescheduleTitle: { en: 'Choose a new time', es: 'Elija una nueva hora' },
  changeUntil: {
    en: 'You can change or cancel it online until {when}.',
    es: 'Puede cambiarla o cancelarla en línea hasta el {when}.',
  },
  tooLate: {
    en: 'Within {hours} hours of the visit, please call us to change or cancel it.',
    es: 'A menos de {hours} horas de la cita, llámenos para cambiarla o cancelarla.',
  },
  status_booked: { en: 'Booked', es: 'Reservada' },
  status_proposed: { en: 'Requested', es: 'Solicitada' },
  status_arrived: { en: 'Checked in', es: 'Registrada' },
  status_fulfilled: { en: 'Completed', es: 'Completada' },
  status_cancelled: { en: 'Cancelled', es: 'Cancelada' },
  status_noshow: { en: 'Missed', es: 'No asistió' },
  loadError: { en: 'Could not load this page', es: 'No se pudo cargar esta página' },
  retry: { en: 'Try again', es: 'Reintentar' },
  home: { en: 'Home', es: 'Inicio' },
} as const satisfies Record<string, Record<PortalLanguage, string>>;

export type PortalStringKey = keyof typeof STRINGS;

const listeners = new Set<() => void>();

function readLanguage(): PortalLanguage {
  const stored = globalThis.localStorage?.getItem(STORAGE_KEY);
  if (stored === 'en' || stored === 'es') return stored;
  return globalThis.navigator?.language?.toLowerCase().startsWith('es') ? 'es' : 'en';
}

export function setPortalLanguage(language: PortalLanguage): void {
  globalThis.localStorage?.setItem(STORAGE_KEY, language);
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The chosen language (kept in this browser) and `t`, its strings. */
export function usePortalText() {
  const language = useSyncExternalStore(subscribe, readLanguage, () => 'en' as const);
  const t = useCallback(
    (key: PortalStringKey, values: Record<string, string | number> = {}) =>
      STRINGS[key][language].replace(/\{(\w+)\}/g, (_, name: string) =>
        String(values[name] ?? `{${name}}`),
      ),
    [language],
  );
  return { language, t };
}

/** A date and time in a zone, in the portal's language: "Tue, Mar 5, 9:00 AM". */
export function formatVisitTime(instant: string, timeZone: string, language: PortalLanguage) {
  return new Intl.DateTimeFormat(language, {
    timeZone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
  }).format(new Date(instant));
}

/** A day's title in a zone: "Tuesday, March 5". */
export function formatVisitDay(instant: string, timeZone: string, language: PortalLanguage) {
  return new Intl.DateTimeFormat(language, {
    timeZone,
    weekday: 'long',
    month: 'long',
    day: 'numeric',
  }).format(new Date(instant));
}

export function formatVisitClock(instant: string, timeZone: string, language: PortalLanguage) {
  return new Intl.DateTimeFormat(language, { timeZone, hour: 'numeric', minute: '2-digit' }).format(
    new Date(instant),
  );
}
