export * from '../modules/audit/schema.js';
export * from '../modules/auth/reset-schema.js';
export * from '../modules/auth/schema.js';
// Issue 13: portal email verification.
export * from '../modules/auth/verification-schema.js';
export * from '../modules/clinical/schema.js';
export * from '../modules/directory/schema.js';
export * from '../modules/fhir/schema.js';
export * from '../modules/hl7/schema.js';
// Issue 11: the shared inbox.
export * from '../modules/inbox/schema.js';
// Issue 11: integrations (API clients, webhooks, email suppressions).
export * from '../modules/integrations/schema.js';
// Issue 12: the journey map.
export * from '../modules/journey-map/schema.js';
export * from '../modules/journeys/schema.js';
export * from '../modules/kpis/schema.js';
// Issue 11 (h11l): patient lists, their own module (moved from the journey map).
export * from '../modules/lists/schema.js';
export * from '../modules/messaging/schema.js';
export * from '../modules/mpi/schema.js';
export * from '../modules/notes/schema.js';
export * from '../modules/patients/schema.js';
// Issue 13 (h13r): pre-registration before a visit.
export * from '../modules/pre-registration/schema.js';
// Issue 11 (h11r): "R" to a reminder offers open slots.
export * from '../modules/reschedule-offers/schema.js';
export * from '../modules/restrictions/schema.js';
export * from '../modules/scheduling/schema.js';
// Issue 11 (h11v): the post-visit survey.
export * from '../modules/surveys/schema.js';
export * from '../modules/tasks/schema.js';
export * from '../modules/templates/schema.js';
export * from '../modules/timeline/schema.js';
// Issue 13: the waitlist and slot recovery.
export * from '../modules/waitlist/schema.js';
