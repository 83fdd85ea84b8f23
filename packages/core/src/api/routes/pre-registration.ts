import { IdParams } from '../common.js';
import { route } from '../contract.js';
import {
  CoverageCardParams,
  PortalPreRegistration,
  PreRegistrationInput,
  PreRegistrationStates,
  PreRegistrationStatesQuery,
  PreRegistrationSubmitted,
  StaffPreRegistration,
} from '../pre-registration.js';

/** Issue 13: pre-registration before a visit, filled in by the patient, seen by staff. */
export const preRegistrationRoutes = {
  mine: route({
    method: 'GET',
    path: '/api/portal/pre-registration',
    policy: { permission: 'portal:self' },
    tags: ['portal'],
    summary: "The signed-in patient's pre-registration and each upcoming visit's state",
    reply: PortalPreRegistration,
  }),
  submit: route({
    method: 'POST',
    path: '/api/portal/pre-registration',
    policy: { permission: 'portal:self' },
    tags: ['portal'],
    summary:
      'Pre-register before a visit: demographics and address to the golden record (source portal), insurance with card images, consents and preferences',
    body: PreRegistrationInput,
    reply: PreRegistrationSubmitted,
    status: 201,
  }),
  states: route({
    method: 'GET',
    path: '/api/pre-registrations',
    policy: { permission: 'schedule:read' },
    tags: ['scheduling'],
    summary: "Whether each appointment is pre-registered, for the calendar's badge",
    query: PreRegistrationStatesQuery,
    reply: PreRegistrationStates,
  }),
  ofPatient: route({
    method: 'GET',
    path: '/api/patients/:id/pre-registration',
    policy: { permission: 'patient:read' },
    tags: ['patients'],
    summary: "A patient's latest pre-registration (emergency contact for staff who may read it)",
    params: IdParams,
    reply: StaffPreRegistration,
  }),
  coverageCard: route({
    method: 'GET',
    path: '/api/patients/:id/coverages/:coverageId/cards/:side',
    policy: { permission: 'patient:read' },
    tags: ['patients'],
    summary: 'A photographed insurance card side (an audited read, registration and billing only)',
    params: CoverageCardParams,
  }),
};
