import { PRE_REGISTRATION_MESSAGES, type PreRegistrationIssue } from '@careloop/core';
import { useCallback } from 'react';
import { usePortalText } from './i18n';

/**
 * The pre-registration pages' strings, in English and Spanish (issue 13). Kept beside the
 * portal's own table so the form's many labels stay in one place; a missing Spanish string fails
 * the build. `{name}` is replaced by the value given for it.
 */
const STRINGS = {
  title: { en: 'Pre-registration', es: 'Registro previo' },
  intro: {
    en: 'Save time at the front desk: tell us about yourself, your insurance and how to reach you before your visit.',
    es: 'Ahorre tiempo en recepción: antes de su cita, díganos sus datos, su seguro y cómo contactarle.',
  },
  forVisit: { en: 'For your visit on {when}', es: 'Para su cita del {when}' },
  aboutYou: { en: 'About you', es: 'Sus datos' },
  givenName: { en: 'Given name', es: 'Nombre' },
  middleName: { en: 'Middle name', es: 'Segundo nombre' },
  familyName: { en: 'Family name', es: 'Apellidos' },
  preferredName: { en: 'Name you go by', es: 'Nombre con el que prefiere que le llamen' },
  birthDate: { en: 'Date of birth', es: 'Fecha de nacimiento' },
  sex: { en: 'Sex', es: 'Sexo' },
  sex_female: { en: 'Female', es: 'Femenino' },
  sex_male: { en: 'Male', es: 'Masculino' },
  sex_other: { en: 'Other', es: 'Otro' },
  sex_unknown: { en: 'Prefer not to say', es: 'Prefiero no decirlo' },
  genderIdentity: { en: 'Gender identity (optional)', es: 'Identidad de género (opcional)' },
  phone: { en: 'Mobile phone', es: 'Teléfono móvil' },
  address: { en: 'Home address', es: 'Domicilio' },
  line1: { en: 'Street address', es: 'Dirección' },
  line2: { en: 'Apartment, suite (optional)', es: 'Apartamento, oficina (opcional)' },
  city: { en: 'City', es: 'Ciudad' },
  state: { en: 'State', es: 'Estado' },
  postalCode: { en: 'ZIP code', es: 'Código postal' },
  emergency: { en: 'Emergency contact', es: 'Contacto de emergencia' },
  contactName: { en: 'Contact name', es: 'Nombre del contacto' },
  relationship: { en: 'Relationship to you', es: 'Parentesco' },
  contactPhone: { en: 'Contact phone', es: 'Teléfono del contacto' },
  insurance: { en: 'Insurance', es: 'Seguro médico' },
  hasInsurance: { en: 'I have health insurance', es: 'Tengo seguro médico' },
  selfPay: {
    en: 'No insurance: you will pay for the visit yourself.',
    es: 'Sin seguro: usted pagará la consulta.',
  },
  payer: { en: 'Insurance company', es: 'Compañía de seguros' },
  plan: { en: 'Plan (optional)', es: 'Plan (opcional)' },
  memberId: { en: 'Member ID', es: 'Número de afiliado' },
  groupNumber: { en: 'Group number (optional)', es: 'Número de grupo (opcional)' },
  subscriberRelationship: {
    en: 'Who holds the policy?',
    es: '¿Quién es el titular de la póliza?',
  },
  rel_self: { en: 'I do', es: 'Yo' },
  rel_spouse: { en: 'My spouse', es: 'Mi cónyuge' },
  rel_child: { en: 'My parent (I am their child)', es: 'Mi padre o madre (soy su hijo/a)' },
  rel_other: { en: 'Someone else', es: 'Otra persona' },
  subscriberName: { en: 'Policy holder’s name', es: 'Nombre del titular' },
  subscriberBirthDate: {
    en: 'Policy holder’s date of birth',
    es: 'Fecha de nacimiento del titular',
  },
  cardFront: { en: 'Card, front (photo or PDF)', es: 'Tarjeta, anverso (foto o PDF)' },
  cardBack: { en: 'Card, back (photo or PDF)', es: 'Tarjeta, reverso (foto o PDF)' },
  cardHint: {
    en: 'PNG, JPEG or PDF, up to 5 MB.',
    es: 'PNG, JPEG o PDF, de hasta 5 MB.',
  },
  cardTooLarge: { en: 'The file is larger than 5 MB', es: 'El archivo supera los 5 MB' },
  consents: { en: 'Consents', es: 'Consentimientos' },
  treatment: {
    en: 'I consent to examination and treatment by the clinic’s practitioners.',
    es: 'Doy mi consentimiento para ser examinado/a y tratado/a por los profesionales de la clínica.',
  },
  privacyNotice: {
    en: 'I have received the notice of privacy practices.',
    es: 'He recibido el aviso de prácticas de privacidad.',
  },
  preferences: { en: 'How we reach you', es: 'Cómo le contactamos' },
  preferredChannel: { en: 'Preferred way to reach you', es: 'Forma preferida de contacto' },
  preferredLanguage: { en: 'Preferred language', es: 'Idioma preferido' },
  ch_email: { en: 'Email', es: 'Correo electrónico' },
  ch_sms: { en: 'Text message', es: 'Mensaje de texto' },
  ch_phone: { en: 'Phone call', es: 'Llamada' },
  ch_portal: { en: 'Patient portal', es: 'Portal del paciente' },
  ch_mail: { en: 'Letter', es: 'Carta' },
  remindersByText: {
    en: 'Send me appointment reminders by text message',
    es: 'Enviarme recordatorios de citas por mensaje de texto',
  },
  remindersByEmail: {
    en: 'Send me appointment reminders by email',
    es: 'Enviarme recordatorios de citas por correo electrónico',
  },
  submit: { en: 'Submit pre-registration', es: 'Enviar el registro previo' },
  fixErrors: {
    en: 'Please correct the fields marked below.',
    es: 'Corrija los campos marcados a continuación.',
  },
  done: { en: 'Pre-registration complete', es: 'Registro previo completado' },
  doneOn: { en: 'Pre-registered on {when}', es: 'Registro previo hecho el {when}' },
  notStarted: { en: 'Pre-registration not started', es: 'Registro previo sin hacer' },
  start: { en: 'Pre-register', es: 'Hacer el registro previo' },
  update: { en: 'Update pre-registration', es: 'Actualizar el registro previo' },
  homeIntro: {
    en: 'Fill in your details, insurance and consents before your visit.',
    es: 'Complete sus datos, su seguro y sus consentimientos antes de su cita.',
  },
  saved: {
    en: 'Thank you. The front desk will see that you are pre-registered.',
    es: 'Gracias. En recepción verán que ya hizo el registro previo.',
  },
} as const;

export type PreRegistrationStringKey = keyof typeof STRINGS;

/** The pre-registration strings in the portal's chosen language, and the issue messages. */
export function usePreRegistrationText() {
  const { language } = usePortalText();
  const t = useCallback(
    (key: PreRegistrationStringKey, values: Record<string, string | number> = {}) =>
      STRINGS[key][language].replace(/\{(\w+)\}/g, (_, name: string) =>
        String(values[name] ?? `{${name}}`),
      ),
    [language],
  );
  const issue = useCallback(
    (code: PreRegistrationIssue) => PRE_REGISTRATION_MESSAGES[code][language],
    [language],
  );
  return { language, t, issue };
}
