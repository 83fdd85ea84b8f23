export * from './api/index.js';
export * from './auth/mfa.js';
export * from './auth/minimum-necessary.js';
export * from './auth/one-time-token.js';
export * from './auth/permissions.js';
export * from './auth/roles.js';
// Issue 13: the capacity and utilization dashboard.
export * from './capacity/index.js';
export * from './consent/consent.js';
export * from './contact/contact.js';
export * from './csv-import/index.js';
export * from './dates/past.js';
export * from './dates/zone.js';
// Issues 11 and 13: messages to an EHR that owns the schedule.
// Issue 13 (h13f): the FHIR path of booking requests.
export * from './ehr-link/fhir-appointment.js';
export * from './ehr-link/siu.js';
// Issue 10.3: every validation error of a request.
export * from './errors/field-errors.js';
export * from './errors/nul.js';
export * from './errors/problem.js';
export * from './identity/index.js';
// Issue 11: the shared inbox, portal secure messaging and call tasks.
export * from './inbox/rules.js';
// Issue 11: integrations (SMART system scopes, client assertions, webhooks).
export * from './integrations/api.js';
export * from './integrations/assertion.js';
export * from './integrations/scopes.js';
export * from './integrations/webhooks.js';
// Issue 12: the journey map.
export * from './journey-map/index.js';
export * from './journeys/api.js';
// Issue 11 (h11d): imported discharges announced to journeys and webhooks.
export * from './journeys/discharge.js';
// Issue 11: journeys (schema, validator, step semantics, dry run).
export * from './journeys/engine.js';
// Issue 11 (h11l): leaving a list ends the enrolments it started.
export * from './journeys/list-exit.js';
// Issue 11 (h11o): HL7 ORM^O01 orders that need a visit become referrals.
export * from './journeys/order.js';
// Issue 11 (h11j): referrals imported as ServiceRequests start journeys.
export * from './journeys/referral.js';
export * from './journeys/schema.js';
export * from './journeys/simulate.js';
export * from './journeys/validate.js';
export * from './json/canonical.js';
export * from './kpis/index.js';
// Issue 11 (h11l): patient lists.
export * from './lists/api.js';
// Issue 11: delivery status notifications (bounce mail).
export * from './messaging/dsn.js';
// Issue 13: portal email verification.
export * from './messaging/email-verification.js';
export * from './messaging/outbox.js';
export * from './messaging/password-reset.js';
// Issue 11 (h11d): the bounce mailbox's return paths (VERP).
export * from './messaging/return-path.js';
// Issue 11: the SMS channel (keywords, delivery statuses).
export * from './messaging/sms-keywords.js';
export * from './messaging/sms-status.js';
export * from './messaging/templates-policy.js';
export * from './pagination/cursor.js';
export * from './patients/mrn.js';
// Issue 13 (h13r): pre-registration before a visit.
export * from './patients/pre-registration.js';
export * from './patients/redact.js';
export * from './patients/search.js';
export * from './patients/total.js';
export * from './patients/touchpoint-label.js';
export * from './restriction/access.js';
// Issue 13: scheduling.
export * from './scheduling/api.js';
export * from './scheduling/availability.js';
// Imported appointment changes announced to journeys.
export * from './scheduling/imported.js';
// Issue 13 (h13a): the portal books.
export * from './scheduling/portal.js';
// Issue 11 (h11r): "R" to a reminder offers open slots.
export * from './scheduling/reschedule-offer.js';
export * from './scheduling/status.js';
// Issue 13: the waitlist and slot recovery.
export * from './scheduling/waitlist.js';
export * from './scheduling/waitlist-api.js';
// Issue 11 (h11v): the post-visit survey.
export * from './surveys/survey.js';
export * from './tasks/teams.js';
