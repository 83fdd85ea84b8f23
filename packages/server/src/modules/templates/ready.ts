import type {
  TemplateChannel,
  TemplateLanguage,
  TemplatePurpose,
  TemplateVersionBody,
} from '@careloop/core';

/** A template to seed: its key, purpose and a body per channel and language. */
export interface TemplateSeed {
  key: string;
  name: string;
  purpose: TemplatePurpose;
  description?: string;
  versions: { channel: TemplateChannel; language: TemplateLanguage; body: TemplateVersionBody }[];
}

const reply = {
  en: 'Reply C to confirm, R to reschedule.',
  es: 'Responda C para confirmar, R para cambiar la cita.',
};

/**
 * The templates the ready journeys name (issue 11), in English and Spanish. Seeded for each
 * organization the demo seed creates; staff edit them in the console afterwards, and a second
 * seed leaves their edits alone.
 */
export const READY_TEMPLATES: readonly TemplateSeed[] = [
  {
    key: 'appointment-reminder-7d',
    name: 'Appointment reminder, 7 days before (email)',
    purpose: 'treatment',
    versions: [
      {
        channel: 'email',
        language: 'en',
        body: {
          subject: 'Your appointment on {{appointment.date}}',
          text: 'Hi {{patient.firstName}},\n\nThis is a reminder of your appointment on {{appointment.start}}{{#practitioner.name}} with {{practitioner.name}}{{/practitioner.name}}{{#location.name}} at {{location.name}}{{#location.address}}, {{location.address}}{{/location.address}}{{/location.name}}.\n\nConfirm: {{links.confirm}}\nReschedule: {{links.reschedule}}\n\n{{organization.name}}',
          html: '<p>Hi {{patient.firstName}},</p><p>This is a reminder of your appointment on <strong>{{appointment.start}}</strong>{{#practitioner.name}} with {{practitioner.name}}{{/practitioner.name}}{{#location.name}} at {{location.name}}{{#location.address}}, {{location.address}}{{/location.address}}{{/location.name}}.</p><p><a href="{{links.confirm}}">Confirm</a> · <a href="{{links.reschedule}}">Reschedule</a></p><p>{{organization.name}}</p>',
        },
      },
      {
        channel: 'email',
        language: 'es',
        body: {
          subject: 'Su cita del {{appointment.date}}',
          text: 'Hola {{patient.firstName}}:\n\nLe recordamos su cita el {{appointment.start}}{{#practitioner.name}} con {{practitioner.name}}{{/practitioner.name}}{{#location.name}} en {{location.name}}{{#location.address}}, {{location.address}}{{/location.address}}{{/location.name}}.\n\nConfirmar: {{links.confirm}}\nCambiar la cita: {{links.reschedule}}\n\n{{organization.name}}',
          html: '<p>Hola {{patient.firstName}}:</p><p>Le recordamos su cita el <strong>{{appointment.start}}</strong>{{#practitioner.name}} con {{practitioner.name}}{{/practitioner.name}}{{#location.name}} en {{location.name}}{{#location.address}}, {{location.address}}{{/location.address}}{{/location.name}}.</p><p><a href="{{links.confirm}}">Confirmar</a> · <a href="{{links.reschedule}}">Cambiar la cita</a></p><p>{{organization.name}}</p>',
        },
      },
    ],
  },
  {
    key: 'appointment-reminder-2d',
    name: 'Appointment reminder, 2 days before (SMS)',
    purpose: 'treatment',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          text: `{{organization.name}}: {{patient.firstName}}, see you {{appointment.start}}{{#location.name}} at {{location.name}}{{/location.name}}. ${reply.en}`,
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          text: `{{organization.name}}: {{patient.firstName}}, le esperamos el {{appointment.start}}{{#location.name}} en {{location.name}}{{/location.name}}. ${reply.es}`,
        },
      },
    ],
  },
  {
    key: 'appointment-reminder-2h',
    name: 'Appointment reminder, 2 hours before (SMS)',
    purpose: 'treatment',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          text: '{{organization.name}}: see you today at {{appointment.time}}{{#location.name}} at {{location.name}}{{#location.address}}, {{location.address}}{{/location.address}}{{/location.name}}.',
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          text: '{{organization.name}}: le esperamos hoy a las {{appointment.time}}{{#location.name}} en {{location.name}}{{#location.address}}, {{location.address}}{{/location.address}}{{/location.name}}.',
        },
      },
    ],
  },
  {
    key: 'appointment-confirmed-reply',
    name: 'Reply to a confirmation (SMS)',
    purpose: 'treatment',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          text: 'Thank you, {{patient.firstName}}: your appointment on {{appointment.start}} is confirmed.',
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          text: 'Gracias, {{patient.firstName}}: su cita del {{appointment.start}} queda confirmada.',
        },
      },
    ],
  },
  {
    key: 'no-show-recovery',
    name: 'Missed appointment, same day',
    purpose: 'treatment',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          text: '{{organization.name}}: we missed you today, {{patient.firstName}}. Book a new time: {{links.reschedule}}',
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          text: '{{organization.name}}: le echamos de menos hoy, {{patient.firstName}}. Pida una nueva cita: {{links.reschedule}}',
        },
      },
      {
        channel: 'email',
        language: 'en',
        body: {
          subject: 'We missed you today',
          text: 'Hi {{patient.firstName}},\n\nWe missed you at your appointment today. Book a new time: {{links.reschedule}}\n\n{{organization.name}}',
        },
      },
      {
        channel: 'email',
        language: 'es',
        body: {
          subject: 'Le echamos de menos hoy',
          text: 'Hola {{patient.firstName}}:\n\nNo pudimos verle en su cita de hoy. Pida una nueva cita: {{links.reschedule}}\n\n{{organization.name}}',
        },
      },
    ],
  },
  {
    key: 'post-visit-survey',
    name: 'Post-visit survey invitation',
    purpose: 'operations',
    versions: [
      {
        channel: 'email',
        language: 'en',
        body: {
          subject: 'How was your visit?',
          text: 'Hi {{patient.firstName}},\n\nThank you for visiting {{organization.name}}. Tell us how it went (2 minutes): {{links.survey}}',
        },
      },
      {
        channel: 'email',
        language: 'es',
        body: {
          subject: '¿Qué tal fue su visita?',
          text: 'Hola {{patient.firstName}}:\n\nGracias por visitar {{organization.name}}. Cuéntenos qué tal fue (2 minutos): {{links.survey}}',
        },
      },
      {
        channel: 'sms',
        language: 'en',
        body: {
          text: '{{organization.name}}: how was your visit, {{patient.firstName}}? 2 minutes: {{links.survey}}',
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          text: '{{organization.name}}: ¿qué tal su visita, {{patient.firstName}}? 2 minutos: {{links.survey}}',
        },
      },
    ],
  },
  // Issue 11: waitlist offers (modules/waitlist); the built-in text is the fallback.
  {
    key: 'waitlist-offer',
    name: 'Waitlist offer: an earlier appointment opened (SMS and email)',
    purpose: 'treatment',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          subject: null,
          text: '{{organization.name}}: Hi {{patient.firstName}}, an appointment opened on {{offer.start}}{{#location.name}} ({{location.name}}){{/location.name}}. Book it before {{offer.expires}}: {{links.offer}}',
          html: null,
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          subject: null,
          text: '{{organization.name}}: Hola {{patient.firstName}}, se liberó una cita el {{offer.start}}{{#location.name}} ({{location.name}}){{/location.name}}. Resérvela antes de las {{offer.expires}}: {{links.offer}}',
          html: null,
        },
      },
      {
        channel: 'email',
        language: 'en',
        body: {
          subject: '{{organization.name}}: an earlier appointment is available',
          text: 'Hi {{patient.firstName}},\n\nAn appointment opened on {{offer.start}}{{#location.name}} at {{location.name}}{{/location.name}}. It is yours if you book it before {{offer.expires}}:\n\n{{links.offer}}\n\n{{organization.name}}',
          html: null,
        },
      },
      {
        channel: 'email',
        language: 'es',
        body: {
          subject: '{{organization.name}}: hay una cita disponible',
          text: 'Hola {{patient.firstName}}:\n\nSe liberó una cita el {{offer.start}}{{#location.name}} en {{location.name}}{{/location.name}}. Es suya si la reserva antes de las {{offer.expires}}:\n\n{{links.offer}}\n\n{{organization.name}}',
          html: null,
        },
      },
    ],
  },
  // Issue 11 (h11r): "R" to a reminder offers open slots by text (reschedule-offers/). The
  // Spanish is written without the accents GSM-7 lacks (á, í, ó, ú), so that a text is cut in
  // segments of 153 characters rather than 67 (UCS-2).
  {
    key: 'reschedule-offer',
    name: 'Open times offered after an "R" reply (SMS)',
    purpose: 'operations',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          subject: null,
          text: '{{organization.name}}: {{patient.firstName}}, reply 1, 2 or 3 to move your visit to {{offer.choices}}; N for other times, or call us{{#location.phone}} at {{location.phone}}{{/location.phone}}.',
          html: null,
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          subject: null,
          text: '{{organization.name}}: {{patient.firstName}}, responda 1, 2 o 3 para cambiar su cita a {{offer.choices}}; N para otras horas, o llamenos{{#location.phone}} al {{location.phone}}{{/location.phone}}.',
          html: null,
        },
      },
    ],
  },
  {
    key: 'reschedule-offer-taken',
    name: 'The chosen time was taken meanwhile: fresh times (SMS)',
    purpose: 'operations',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          subject: null,
          text: '{{organization.name}}: sorry, that time was just taken. Reply 1, 2 or 3 for {{offer.choices}}; N for other times, or call us.',
          html: null,
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          subject: null,
          text: '{{organization.name}}: lo sentimos, esa hora se acaba de ocupar. Responda 1, 2 o 3 para {{offer.choices}}; N para otras horas, o llamenos.',
          html: null,
        },
      },
    ],
  },
  {
    key: 'reschedule-offer-booked',
    name: 'The visit moved to the chosen time (SMS)',
    purpose: 'operations',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          subject: null,
          text: '{{organization.name}}: done, {{patient.firstName}}. Your visit is now {{appointment.start}}{{#location.name}} at {{location.name}}{{/location.name}}.',
          html: null,
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          subject: null,
          text: '{{organization.name}}: listo, {{patient.firstName}}. Su cita es ahora el {{appointment.start}}{{#location.name}} en {{location.name}}{{/location.name}}.',
          html: null,
        },
      },
    ],
  },
  {
    key: 'reschedule-offer-handoff',
    name: 'No time could be offered or the offer ended: the front desk will call (SMS)',
    purpose: 'operations',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          subject: null,
          text: '{{organization.name}}: {{patient.firstName}}, our front desk will call you to find a new time for your visit.',
          html: null,
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          subject: null,
          text: '{{organization.name}}: {{patient.firstName}}, nuestra recepcion le llamara para buscar otra hora para su cita.',
          html: null,
        },
      },
    ],
  },
];
