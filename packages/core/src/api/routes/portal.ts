import { route } from '../contract.js';
import { PreferencesUpdate } from '../patients.js';
import {
  EmailVerificationAnswer,
  EmailVerificationConfirm,
  PortalProfile,
  PortalRegistration,
  PortalRegistrationReceived,
} from '../portal.js';

/** The patient portal: a patient reaches their own record, and only through these routes. */
export const portalRoutes = {
  me: route({
    method: 'GET',
    path: '/api/portal/me',
    policy: { permission: 'portal:self' },
    tags: ['portal'],
    summary: "The signed-in patient's own profile",
    reply: PortalProfile,
  }),
  updatePreferences: route({
    method: 'PATCH',
    path: '/api/portal/preferences',
    policy: { permission: 'portal:self' },
    tags: ['portal'],
    summary: 'Change own contact preferences and consents',
    body: PreferencesUpdate,
    reply: PortalProfile,
  }),
  register: route({
    method: 'POST',
    path: '/api/portal/register',
    policy: { public: true },
    tags: ['portal'],
    summary:
      'Patient sign-up: creates a golden record (possible duplicates go to staff review) and an account; the same 202 whether or not the email already has an account, then sign in',
    body: PortalRegistration,
    reply: PortalRegistrationReceived,
    status: 202,
  }),
  verifyEmail: route({
    method: 'POST',
    path: '/api/portal/verify-email',
    policy: { public: true },
    tags: ['portal'],
    summary:
      "Confirms a sign-up's email with the token of the link sent to it (once, within a day); the patient then signs in to the portal",
    body: EmailVerificationConfirm,
    reply: EmailVerificationAnswer,
  }),
  resendVerification: route({
    method: 'POST',
    path: '/api/portal/verify-email/resend',
    policy: { permission: 'session:self' },
    tags: ['portal'],
    summary:
      'Sends the signed-in, not yet verified patient a new verification link (counted before any work: 3 per 15 minutes)',
    reply: EmailVerificationAnswer,
    status: 202,
  }),
};
