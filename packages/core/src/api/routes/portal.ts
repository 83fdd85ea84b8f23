import { route } from '../contract.js';
import { PreferencesUpdate } from '../patients.js';
import { PortalProfile, PortalRegistration, PortalRegistrationReceived } from '../portal.js';

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
};
