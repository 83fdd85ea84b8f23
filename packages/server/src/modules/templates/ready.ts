import type {
  TemplateCapBucket,
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
  /** Default `purpose`; `requested-series`: its own frequency cap (docs/adr/0043). */
  capBucket?: TemplateCapBucket;
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
  // Issue 11: waitlist offers (modules/waitlist); written on first use in an organization without it.
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
  // Issue 11 (h11j): pre-visit instructions by service. Logistics only, nothing clinical.
  preVisit('pre-visit-new-patient', 'Pre-visit instructions: new patient visit', {
    en: 'please arrive 15 minutes early to register, and bring a photo ID, your insurance card and a list of the medicines you take.',
    es: 'llegue 15 minutos antes para registrarse y traiga una identificación con foto, su tarjeta del seguro y una lista de las medicinas que toma.',
    smsEn:
      'come 15 min early to register; bring a photo ID, your insurance card and a list of your medicines.',
    smsEs:
      'llegue 15 min antes; traiga identificación, tarjeta del seguro y lista de sus medicinas.',
  }),
  preVisit('pre-visit-annual-physical', 'Pre-visit instructions: annual physical', {
    en: 'please arrive 10 minutes early, wear comfortable clothes, and bring your insurance card and a list of the medicines you take. If your care team asked you to fast, follow what they told you.',
    es: 'llegue 10 minutos antes, con ropa cómoda, y traiga su tarjeta del seguro y una lista de las medicinas que toma. Si su equipo de atención le pidió ayuno, siga sus indicaciones.',
    smsEn:
      'come 10 min early in comfortable clothes; bring your insurance card and a list of your medicines.',
    smsEs:
      'llegue 10 min antes con ropa cómoda; traiga tarjeta del seguro y lista de sus medicinas.',
  }),
  preVisit('pre-visit-video', 'Pre-visit instructions: video visit', {
    en: 'please find a quiet, private place, check your camera and microphone, and join from the portal 5 minutes early: {{links.portal}}',
    es: 'busque un lugar tranquilo y privado, pruebe su cámara y micrófono y entre desde el portal 5 minutos antes: {{links.portal}}',
    smsEn: 'find a quiet private place, check camera and mic, join 5 min early: {{links.portal}}',
    smsEs:
      'busque un lugar privado, pruebe cámara y micrófono, entre 5 min antes: {{links.portal}}',
  }),
  preVisit('pre-visit-general', 'Pre-visit instructions: any visit', {
    en: 'please arrive 10 minutes early and bring your insurance card and a list of the medicines you take.',
    es: 'llegue 10 minutos antes y traiga su tarjeta del seguro y una lista de las medicinas que toma.',
    smsEn: 'come 10 min early; bring your insurance card and a list of your medicines.',
    smsEs: 'llegue 10 min antes; traiga su tarjeta del seguro y lista de sus medicinas.',
  }),
  // Issue 11 (h11j): medication reminders. No drug, no dose: the patient knows which.
  {
    key: 'medication-reminder',
    name: 'Medication reminder, daily',
    purpose: 'treatment',
    // A series the patient asked for: a bucket of its own, 1 a day and 7 a week (docs/adr/0043),
    // so it goes out every day and never takes the day's appointment reminder's place.
    capBucket: 'requested-series',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          text: '{{organization.name}}: {{patient.firstName}}, your daily reminder: it is time for your medicine, as planned with your care team.',
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          text: '{{organization.name}}: {{patient.firstName}}, su recordatorio diario: es la hora de su medicina, como lo acordó con su equipo de atención.',
        },
      },
      {
        channel: 'email',
        language: 'en',
        body: {
          subject: 'Your daily reminder',
          text: 'Hi {{patient.firstName}},\n\nThis is your daily reminder: it is time for your medicine, as planned with your care team. Questions? Message us in the portal: {{links.portal}}\n\n{{organization.name}}',
        },
      },
      {
        channel: 'email',
        language: 'es',
        body: {
          subject: 'Su recordatorio diario',
          text: 'Hola {{patient.firstName}}:\n\nEste es su recordatorio diario: es la hora de su medicina, como lo acordó con su equipo de atención. ¿Preguntas? Escríbanos en el portal: {{links.portal}}\n\n{{organization.name}}',
        },
      },
    ],
  },
  // Issue 11 (h11j): referral follow-through. Says a visit was asked for, never for what.
  {
    key: 'referral-scheduling',
    name: 'Referral: invitation to book',
    purpose: 'treatment',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          text: '{{organization.name}}: {{patient.firstName}}, your care team has asked us to book a visit for you. Choose a time: {{links.portal}}',
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          text: '{{organization.name}}: {{patient.firstName}}, su equipo de atención nos pidió darle una cita. Elija un horario: {{links.portal}}',
        },
      },
      {
        channel: 'email',
        language: 'en',
        body: {
          subject: 'Book your visit',
          text: 'Hi {{patient.firstName}},\n\nYour care team has asked us to book a visit for you. Choose a time that suits you in the portal: {{links.portal}}\n\nPrefer to call? We are happy to help.\n\n{{organization.name}}',
        },
      },
      {
        channel: 'email',
        language: 'es',
        body: {
          subject: 'Reserve su cita',
          text: 'Hola {{patient.firstName}}:\n\nSu equipo de atención nos pidió darle una cita. Elija el horario que le convenga en el portal: {{links.portal}}\n\n¿Prefiere llamar? Con gusto le ayudamos.\n\n{{organization.name}}',
        },
      },
    ],
  }, // Issue 11 (h11e): where the EHR owns the schedule, a choice from a reschedule offer is a
  // request the EHR answers: the patient is told it was asked, then moved or not (GSM-7 Spanish).
  {
    key: 'reschedule-offer-requested',
    name: 'The chosen time was asked of the EHR: confirmation follows (SMS)',
    purpose: 'operations',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          subject: null,
          text: "{{organization.name}}: {{patient.firstName}}, we've asked the clinic to move your visit to {{offer.start}}; we'll text you when it's confirmed.",
          html: null,
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          subject: null,
          text: '{{organization.name}}: {{patient.firstName}}, pedimos a la clinica cambiar su cita al {{offer.start}}; le avisaremos por texto cuando este confirmado.',
          html: null,
        },
      },
    ],
  },
  {
    key: 'reschedule-offer-not-moved',
    name: 'The EHR refused the chosen time: the visit keeps its time (SMS)',
    purpose: 'operations',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          subject: null,
          text: '{{organization.name}}: {{patient.firstName}}, sorry, your visit could not be moved to {{offer.start}}. It stays {{appointment.start}}; our front desk will call you.',
          html: null,
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          subject: null,
          text: '{{organization.name}}: {{patient.firstName}}, lo sentimos, no se pudo cambiar su cita al {{offer.start}}. Sigue el {{appointment.start}}; nuestra recepcion le llamara.',
          html: null,
        },
      },
    ],
  },
  // Issue 11 (h11l): preventive screening recall (the recall and its reminder).
  ...screeningRecallTemplates(),
  // Issue 11: the post-discharge journey's messages, which had no template (they went
  // out as a generic built-in email). A check-in and a reminder to book, nothing clinical.
  {
    key: 'discharge-check-in',
    name: 'After a discharge: day 7 check-in',
    purpose: 'treatment',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          text: '{{organization.name}}: {{patient.firstName}}, your care team is checking in after your stay. Questions? Reply here or message us: {{links.portal}}',
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          text: '{{organization.name}}: {{patient.firstName}}, su equipo de atención quiere saber cómo sigue después de su estancia. ¿Preguntas? Responda aquí o escríbanos: {{links.portal}}',
        },
      },
      {
        channel: 'email',
        language: 'en',
        body: {
          subject: 'How are you doing?',
          text: 'Hi {{patient.firstName}},\n\nYour care team is checking in after your stay. If you have questions or need anything, message us in the portal ({{links.portal}}) or call us.\n\n{{organization.name}}',
        },
      },
      {
        channel: 'email',
        language: 'es',
        body: {
          subject: '¿Cómo se encuentra?',
          text: 'Hola {{patient.firstName}}:\n\nSu equipo de atención quiere saber cómo sigue después de su estancia. Si tiene preguntas o necesita algo, escríbanos en el portal ({{links.portal}}) o llámenos.\n\n{{organization.name}}',
        },
      },
    ],
  },
  {
    key: 'discharge-follow-up-visit',
    name: 'After a discharge: day 30 follow-up visit',
    purpose: 'treatment',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          text: '{{organization.name}}: {{patient.firstName}}, it is time to book your follow-up visit. Choose a time: {{links.portal}}',
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          text: '{{organization.name}}: {{patient.firstName}}, es momento de reservar su cita de seguimiento. Elija un horario: {{links.portal}}',
        },
      },
      {
        channel: 'email',
        language: 'en',
        body: {
          subject: 'Time for your follow-up visit',
          text: 'Hi {{patient.firstName}},\n\nIt is time to book your follow-up visit. Choose a time that suits you in the portal: {{links.portal}}\n\nPrefer to call? We are happy to help.\n\n{{organization.name}}',
        },
      },
      {
        channel: 'email',
        language: 'es',
        body: {
          subject: 'Es momento de su cita de seguimiento',
          text: 'Hola {{patient.firstName}}:\n\nEs momento de reservar su cita de seguimiento. Elija el horario que le convenga en el portal: {{links.portal}}\n\n¿Prefiere llamar? Con gusto le ayudamos.\n\n{{organization.name}}',
        },
      },
    ],
  },
];

/**
 * A pre-visit instructions template (issue 11, h11j): the same instructions by SMS and by email,
 * in English and Spanish, after a line naming the visit.
 */
function preVisit(
  key: string,
  name: string,
  instructions: Record<TemplateLanguage | 'smsEn' | 'smsEs', string>,
): TemplateSeed {
  const where = {
    en: '{{#location.name}} at {{location.name}}{{/location.name}}',
    es: '{{#location.name}} en {{location.name}}{{/location.name}}',
  };
  return {
    key,
    name,
    purpose: 'treatment',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          text: `{{organization.name}}: {{patient.firstName}}, for your visit {{appointment.start}}: ${instructions.smsEn}`,
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          text: `{{organization.name}}: {{patient.firstName}}, para su cita del {{appointment.start}}: ${instructions.smsEs}`,
        },
      },
      {
        channel: 'email',
        language: 'en',
        body: {
          subject: 'Before your visit on {{appointment.date}}',
          text: `Hi {{patient.firstName}},\n\nBefore your visit on {{appointment.start}}${where.en}{{#location.address}}, {{location.address}}{{/location.address}}, ${instructions.en}\n\nNeed another time? {{links.reschedule}}\n\n{{organization.name}}`,
        },
      },
      {
        channel: 'email',
        language: 'es',
        body: {
          subject: 'Antes de su cita del {{appointment.date}}',
          text: `Hola {{patient.firstName}}:\n\nAntes de su cita del {{appointment.start}}${where.es}{{#location.address}}, {{location.address}}{{/location.address}}, ${instructions.es}\n\n¿Necesita otro horario? {{links.reschedule}}\n\n{{organization.name}}`,
        },
      },
    ],
  };
}

// Issue 11 (h11l): preventive screening recall.
/**
 * The recall and its second reminder: "you are due for a preventive visit" and the booking link,
 * never which screening or why (no condition or test name reaches a phone's lock screen).
 */
function screeningRecallTemplates(): TemplateSeed[] {
  const recall = (
    key: string,
    name: string,
    text: { smsEn: string; smsEs: string; en: string; es: string },
  ): TemplateSeed => ({
    key,
    name,
    purpose: 'treatment',
    versions: [
      {
        channel: 'sms',
        language: 'en',
        body: {
          text: `{{organization.name}}: {{patient.firstName}}, ${text.smsEn} {{links.portal}}`,
        },
      },
      {
        channel: 'sms',
        language: 'es',
        body: {
          text: `{{organization.name}}: {{patient.firstName}}, ${text.smsEs} {{links.portal}}`,
        },
      },
      {
        channel: 'email',
        language: 'en',
        body: {
          subject: 'You are due for a preventive visit',
          text: `Hi {{patient.firstName}},\n\n${text.en}\n\nBook a time that suits you in the portal: {{links.portal}}\n\nPrefer to call? We are happy to help.\n\n{{organization.name}}`,
        },
      },
      {
        channel: 'email',
        language: 'es',
        body: {
          subject: 'Le toca una consulta preventiva',
          text: `Hola {{patient.firstName}}:\n\n${text.es}\n\nReserve el horario que le convenga en el portal: {{links.portal}}\n\n¿Prefiere llamar? Con gusto le ayudamos.\n\n{{organization.name}}`,
        },
      },
    ],
  });
  return [
    recall('screening-recall', 'Preventive recall', {
      smsEn: 'you are due for a preventive visit. Book a time:',
      smsEs: 'le toca una consulta preventiva. Reserve su cita:',
      en: 'Our records show you are due for a preventive visit with your care team.',
      es: 'Según nuestros registros, le toca una consulta preventiva con su equipo de atención.',
    }),
    recall('screening-recall-reminder', 'Preventive recall: reminder', {
      smsEn: 'a reminder: you are still due for a preventive visit. Book a time:',
      smsEs: 'le recordamos que aún le toca una consulta preventiva. Reserve su cita:',
      en: 'A reminder: you are still due for a preventive visit with your care team.',
      es: 'Le recordamos que aún le toca una consulta preventiva con su equipo de atención.',
    }),
  ];
}
