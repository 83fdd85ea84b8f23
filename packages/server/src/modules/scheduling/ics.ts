import type { ScheduledAppointment } from '@careloop/core';
import { createEvent } from 'ics';

/**
 * The confirmation's iCalendar file: the visit's time, place (or join link) and service, and
 * nothing clinical (no reason for the visit): it travels by email and sits in calendars.
 */
export function appointmentIcs(a: ScheduledAppointment, organization: string): string {
  const cancelled = a.status === 'cancelled' || a.status === 'noshow';
  const { error, value } = createEvent({
    uid: `${a.id}@careloop`,
    productId: 'careloop/scheduling',
    method: cancelled ? 'CANCEL' : 'PUBLISH',
    start: Date.parse(a.start),
    startInputType: 'utc',
    startOutputType: 'utc',
    end: Date.parse(a.end),
    endInputType: 'utc',
    endOutputType: 'utc',
    title: `${a.serviceName ?? 'Appointment'} at ${organization}`,
    description: [
      a.practitionerName ? `With ${a.practitionerName}` : null,
      a.joinLink ? `Join the video visit: ${a.joinLink}` : null,
    ]
      .filter(Boolean)
      .join('\n'),
    location: a.telehealth ? 'Video visit' : (a.locationName ?? organization),
    ...(a.joinLink ? { url: a.joinLink } : {}),
    status: cancelled ? 'CANCELLED' : 'CONFIRMED',
    busyStatus: 'BUSY',
  });
  if (error || !value) throw error ?? new Error('no calendar file');
  return value;
}
