import type { AppointmentEvent, ScheduledAppointment } from '@careloop/core';
import { and, desc, eq } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { locations } from '../directory/schema.js';
import type { OutboxService } from '../messaging/outbox.js';
import { patientContactPoints, patients } from '../patients/schema.js';
import { appointmentIcs } from './ics.js';

type Language = 'en' | 'es';

const TEXT = {
  en: {
    booked: (org: string) => `Your appointment at ${org} is booked`,
    rescheduled: (org: string) => `Your appointment at ${org} has moved`,
    when: 'When',
    where: 'Where',
    with: 'With',
    video: 'Video visit',
    join: 'Join the video visit',
    change: 'To change or cancel it, sign in to the patient portal or call us.',
    calendar: 'The attached file adds it to your calendar.',
  },
  es: {
    booked: (org: string) => `Su cita en ${org} está reservada`,
    rescheduled: (org: string) => `Su cita en ${org} ha cambiado`,
    when: 'Cuándo',
    where: 'Dónde',
    with: 'Con',
    video: 'Consulta por video',
    join: 'Entrar a la consulta por video',
    change: 'Para cambiarla o cancelarla, entre en el portal del paciente o llámenos.',
    calendar: 'El archivo adjunto la añade a su calendario.',
  },
} as const;

/**
 * Issue 13: the confirmation email of a booking or a reschedule, staff's or the portal's, with
 * the visit as an iCalendar attachment; queued in the outbox in the change's own transaction,
 * so it goes out exactly when the change commits. Nothing clinical: time, place, practitioner,
 * the service's name and the join link, as on the .ics download.
 *
 * The purpose is `account`: it answers an action just taken on the patient's own appointments
 * (like a password reset link), so it is not deferred by quiet hours nor counted against the
 * reminder caps; a patient without an email address gets none.
 */
export class AppointmentConfirmations {
  constructor(private readonly outbox: OutboxService) {}

  async queue(
    tx: Db,
    change: { orgId: string; orgName: string; event: AppointmentEvent },
    appointment: ScheduledAppointment,
  ): Promise<string | null> {
    if (change.event !== 'booked' && change.event !== 'rescheduled') return null;
    const { orgId } = change;
    const [email] = await tx
      .select({ value: patientContactPoints.value })
      .from(patientContactPoints)
      .where(
        and(
          eq(patientContactPoints.orgId, orgId),
          eq(patientContactPoints.patientId, appointment.patientId),
          eq(patientContactPoints.system, 'email'),
        ),
      )
      .orderBy(desc(patientContactPoints.isPrimary), patientContactPoints.id)
      .limit(1);
    if (!email) return null;
    const [patient] = await tx
      .select({ language: patients.preferredLanguage })
      .from(patients)
      .where(and(eq(patients.orgId, orgId), eq(patients.id, appointment.patientId)));
    const language: Language = patient?.language?.toLowerCase().startsWith('es') ? 'es' : 'en';
    const [place] = appointment.locationId
      ? await tx
          .select({ timeZone: locations.timeZone })
          .from(locations)
          .where(and(eq(locations.orgId, orgId), eq(locations.id, appointment.locationId)))
      : [];
    const words = TEXT[language];
    const when = new Intl.DateTimeFormat(language, {
      timeZone: place?.timeZone ?? 'UTC',
      dateStyle: 'full',
      timeStyle: 'short',
    }).format(new Date(appointment.start));
    const subject = words[change.event](change.orgName);
    const lines = [
      subject,
      '',
      `${words.when}: ${when}`,
      `${words.where}: ${appointment.telehealth ? words.video : (appointment.locationName ?? change.orgName)}`,
      ...(appointment.practitionerName ? [`${words.with}: ${appointment.practitionerName}`] : []),
      ...(appointment.joinLink ? [`${words.join}: ${appointment.joinLink}`] : []),
      '',
      words.calendar,
      words.change,
    ];
    return this.outbox.queueEmail(tx, {
      orgId,
      patientId: appointment.patientId,
      purpose: 'account',
      to: email.value,
      subject,
      text: lines.join('\n'),
      // One per booking and per move: the same change never confirms twice.
      idempotencyKey: `appointment-confirmation:${appointment.id}:${change.event}:${appointment.start}`,
      attachment: {
        filename: 'appointment.ics',
        contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
        content: appointmentIcs(appointment, change.orgName),
      },
    });
  }
}
