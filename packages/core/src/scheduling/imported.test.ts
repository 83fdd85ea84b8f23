import { describe, expect, it } from 'vitest';
import type { AppointmentStatus } from '../api/enums.js';
import { importedAppointmentEvent, importedEventIsNews } from './imported.js';

const at = (iso: string) => new Date(iso);
const state = (status: AppointmentStatus, start = '2027-03-01T09:00:00Z') => ({
  status,
  startAt: at(start),
});

describe('importedAppointmentEvent', () => {
  it('reads a new appointment by its status', () => {
    expect(importedAppointmentEvent(null, state('booked'))).toBe('booked');
    expect(importedAppointmentEvent(null, state('proposed'))).toBe('booked');
    expect(importedAppointmentEvent(null, state('noshow'))).toBe('no-show');
    expect(importedAppointmentEvent(null, state('fulfilled'))).toBe('completed');
    expect(importedAppointmentEvent(null, state('arrived'))).toBe('checked-in');
    expect(importedAppointmentEvent(null, state('cancelled'))).toBeNull();
  });

  it('reads a change by what moved: the status first, then the start', () => {
    expect(importedAppointmentEvent(state('booked'), state('cancelled'))).toBe('cancelled');
    expect(importedAppointmentEvent(state('booked'), state('noshow'))).toBe('no-show');
    expect(importedAppointmentEvent(state('cancelled'), state('booked'))).toBe('booked');
    expect(importedAppointmentEvent(state('proposed'), state('booked'))).toBeNull();
    expect(importedAppointmentEvent(state('booked'), state('booked', '2027-03-02T09:00:00Z'))).toBe(
      'rescheduled',
    );
    expect(importedAppointmentEvent(state('booked'), state('booked'))).toBeNull();
    // A cancelled appointment whose time is corrected is still just cancelled.
    expect(
      importedAppointmentEvent(state('cancelled'), state('cancelled', '2027-03-02T09:00:00Z')),
    ).toBeNull();
  });
});

describe('importedEventIsNews', () => {
  const now = at('2027-03-01T08:00:00Z');
  it('announces bookings, moves and cancellations of appointments still to come', () => {
    for (const event of ['booked', 'rescheduled', 'cancelled'] as const) {
      expect(importedEventIsNews(event, at('2027-03-01T08:30:00Z'), now)).toBe(true);
      expect(importedEventIsNews(event, at('2027-03-01T07:59:00Z'), now)).toBe(false);
      expect(importedEventIsNews(event, at('2019-05-01T09:00:00Z'), now)).toBe(false);
    }
  });

  it('announces the outcome of a visit that started within the last day, not of history', () => {
    for (const event of ['no-show', 'completed', 'checked-in'] as const) {
      expect(importedEventIsNews(event, at('2027-03-01T07:00:00Z'), now)).toBe(true);
      expect(importedEventIsNews(event, at('2027-02-28T08:00:00Z'), now)).toBe(true);
      expect(importedEventIsNews(event, at('2027-02-28T07:59:00Z'), now)).toBe(false);
      expect(importedEventIsNews(event, at('2027-03-01T09:00:00Z'), now)).toBe(false);
    }
  });
});
