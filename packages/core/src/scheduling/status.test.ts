import { describe, expect, it } from 'vitest';
import { joinLink, transition } from './status.js';

const H = 3_600_000;
const start = Date.parse('2030-05-01T14:00:00Z');
const end = start + 0.5 * H;
const at = (hoursBefore: number) => ({ now: start - hoursBefore * H, start, end });

describe('appointment transitions', () => {
  it('cancels a booked visit, late within the policy’s hours, for staff only', () => {
    expect(transition('booked', 'cancel', at(48), 'staff')).toEqual({
      ok: true,
      status: 'cancelled',
      late: false,
    });
    expect(transition('booked', 'cancel', at(3), 'staff')).toEqual({
      ok: true,
      status: 'cancelled',
      late: true,
    });
    expect(transition('booked', 'cancel', at(3), 'patient')).toEqual({
      ok: false,
      refusal: 'late_cancel_by_patient',
    });
    expect(transition('booked', 'cancel', at(3), 'patient', { lateCancelHours: 0 })).toMatchObject({
      ok: true,
      late: false,
    });
  });

  it('checks in from two hours before the start until the end', () => {
    expect(transition('booked', 'check-in', at(3), 'staff')).toEqual({
      ok: false,
      refusal: 'too_early_to_check_in',
    });
    expect(transition('booked', 'check-in', at(1), 'staff')).toMatchObject({ status: 'arrived' });
    expect(transition('booked', 'check-in', at(-1), 'staff')).toEqual({
      ok: false,
      refusal: 'visit_over',
    });
  });

  it('marks a no-show only once the visit should have begun', () => {
    expect(transition('booked', 'no-show', at(1), 'staff')).toEqual({
      ok: false,
      refusal: 'not_started',
    });
    expect(transition('booked', 'no-show', at(-0.25), 'staff')).toMatchObject({ status: 'noshow' });
  });

  it('completes an arrived visit only, and changes nothing once it is over', () => {
    expect(transition('arrived', 'complete', at(0), 'staff')).toMatchObject({
      status: 'fulfilled',
    });
    expect(transition('booked', 'complete', at(0), 'staff')).toMatchObject({ ok: false });
    for (const status of ['cancelled', 'noshow', 'fulfilled'] as const) {
      for (const action of ['reschedule', 'cancel', 'check-in', 'no-show'] as const) {
        expect(transition(status, action, at(48), 'staff')).toEqual({
          ok: false,
          refusal: 'not_allowed_in_status',
        });
      }
    }
  });

  it('reschedules into the future only', () => {
    expect(transition('booked', 'reschedule', at(1), 'staff')).toMatchObject({ status: 'booked' });
    expect(transition('booked', 'reschedule', at(-1), 'staff')).toEqual({
      ok: false,
      refusal: 'in_the_past',
    });
  });

  it('puts the token, escaped, into the join link template', () => {
    expect(joinLink('https://meet.example.org/c/{token}', 'a b')).toBe(
      'https://meet.example.org/c/a%20b',
    );
  });
});
