import type { JourneyDefinition } from './schema.js';

/** A small reminder journey for tests: 2 days before by SMS, wait for C/R, 2 hours before. */
export function reminderJourney(): JourneyDefinition {
  return {
    key: 'test-reminders',
    name: 'Test reminders',
    trigger: { kind: 'event', event: 'appointment.booked' },
    reentry: 'never',
    exitOn: ['appointment.cancelled'],
    entry: 'wait-2d',
    nodes: [
      {
        id: 'wait-2d',
        type: 'wait',
        wait: {
          kind: 'relative',
          field: 'appointment.start',
          offsetMinutes: -2880,
          late: 'wait-2h',
        },
        next: 'sms',
      },
      {
        id: 'sms',
        type: 'action',
        action: {
          kind: 'send',
          channel: 'sms',
          template: 'appointment-reminder-2d',
          purpose: 'treatment',
          validFor: { kind: 'field', field: 'appointment.start', offsetMinutes: -120 },
        },
        next: 'reply',
      },
      {
        id: 'reply',
        type: 'wait',
        wait: { kind: 'event', event: 'message.received', timeoutMinutes: 600, timeout: 'wait-2h' },
        next: 'route',
      },
      {
        id: 'route',
        type: 'condition',
        branches: [
          {
            when: { attribute: 'message.text', op: 'first_word_in', values: ['C'] },
            next: 'confirm',
          },
          { when: { attribute: 'message.text', op: 'first_word_in', values: ['R'] }, next: 'task' },
        ],
        otherwise: 'reply',
      },
      {
        id: 'confirm',
        type: 'action',
        action: { kind: 'update', field: 'appointment.status', value: 'confirmed' },
        next: 'confirmed',
      },
      { id: 'confirmed', type: 'goal', next: 'wait-2h' },
      {
        id: 'task',
        type: 'action',
        action: { kind: 'task', title: 'Reschedule', team: 'front-desk' },
        next: 'handed-over',
      },
      { id: 'handed-over', type: 'exit' },
      {
        id: 'wait-2h',
        type: 'wait',
        wait: { kind: 'relative', field: 'appointment.start', offsetMinutes: -120, late: 'done' },
        next: 'last',
      },
      {
        id: 'last',
        type: 'action',
        action: {
          kind: 'send',
          channel: 'preferred',
          template: 'appointment-reminder-2h',
          purpose: 'treatment',
          validFor: { kind: 'field', field: 'appointment.start' },
        },
        next: 'done',
      },
      { id: 'done', type: 'exit' },
    ],
  };
}
