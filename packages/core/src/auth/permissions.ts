import type { Role } from './roles.js';

/**
 * What a route or a service operation needs. Every HTTP route declares one of these (or
 * `public`), and the server denies by default when a route declares nothing.
 */
export const PERMISSIONS = {
  /** Demographics, contact points, preferences, appointments, tasks, timeline. */
  'patient:read': ['admin', 'front-desk', 'care-coordinator', 'clinician', 'marketer', 'analyst'],
  'patient:write': ['admin', 'front-desk', 'care-coordinator', 'clinician'],
  /** Conditions, encounters' reasons and care-team notes: never marketing. */
  'clinical:read': ['admin', 'care-coordinator', 'clinician'],
  /** Care-team notes are non-clinical but still not for marketing or analytics. */
  'note:read': ['admin', 'front-desk', 'care-coordinator', 'clinician'],
  'note:write': ['admin', 'care-coordinator', 'clinician', 'front-desk'],
  /**
   * The master patient index: reviewing possible duplicates, merging and unmerging golden
   * records, and reading where each field came from. Registration and care coordination staff.
   */
  'patient:merge': ['admin', 'front-desk', 'care-coordinator'],
  'task:read': ['admin', 'front-desk', 'care-coordinator', 'clinician'],
  'task:write': ['admin', 'front-desk', 'care-coordinator', 'clinician'],
  'directory:read': ['admin', 'front-desk', 'care-coordinator', 'clinician', 'marketer', 'analyst'],
  'directory:write': ['admin'],
  'user:read': ['admin'],
  'user:write': ['admin'],
  'audit:read': ['admin'],
  /**
   * Restricted records: marking a patient confidential, VIP or employee, choosing their care
   * team, and reading the break-glass report. Admins; those flagged as privacy officers also
   * receive a task for each break-glass access.
   */
  'restriction:manage': ['admin'],
  /** Importing from other systems (FHIR bundles): writes many patients at once. */
  'interop:write': ['admin'],
  /**
   * The built-in test mailbox (no SMTP server configured): what was sent, bodies included, so
   * admins only; every read is audited.
   */
  'mailbox:read': ['admin'],
  /** The portal: a patient acting on their own record only. */
  'portal:self': ['patient'],
  /** Any signed-in user, staff or patient (e.g. `GET /api/auth/me`). */
  'session:self': [
    'admin',
    'front-desk',
    'care-coordinator',
    'clinician',
    'marketer',
    'analyst',
    'patient',
  ],
  // Issue 11: the SMS channel.
  /**
   * The built-in local SMS gateway's Test phone: what a number received and sent, and replies
   * typed as the patient. Admins only, like the Test mailbox; every read is audited.
   */
  'sms-gateway:use': ['admin'],
  // Issue 12: the journey map.
  /** The aggregate journey map: counts and rates, small cells hidden for non-clinical roles. */
  'journey-map:read': [
    'admin',
    'front-desk',
    'care-coordinator',
    'clinician',
    'marketer',
    'analyst',
  ],
  /** The stage taxonomy, the mapping of touchpoints to stages, journey definitions. */
  'journey-map:configure': ['admin', 'analyst'],
  /** The named patients behind a number of the journey map: roles with clinical access. */
  'journey-map:drill-down': ['admin', 'care-coordinator', 'clinician'],
  // Issue 13: scheduling. Reading the calendar and availability (names per FIELD_POLICY's
  // appointment.patient); booking and changing appointments; services, hours and settings.
  'schedule:read': ['admin', 'front-desk', 'care-coordinator', 'clinician', 'marketer', 'analyst'],
  'appointment:write': ['admin', 'front-desk', 'care-coordinator'],
  'schedule:manage': ['admin'],
  // Issue 11, journeys.
  /** The journeys list, their graphs and aggregate per-node counts (no patient data). */
  'journey:read': ['admin', 'care-coordinator', 'marketer', 'analyst'],
  /** Editing, publishing, pausing and enabling journeys; the dead-letter view and its retry. */
  'journey:write': ['admin'],
  // Issue 11: message templates and suppressed sends.
  /** Templates: the front desk and care team read them (quick replies, what a patient got). */
  'template:read': ['admin', 'front-desk', 'care-coordinator', 'clinician', 'marketer'],
  /** Writing templates: marketing and admins; the lint keeps clinical detail out either way. */
  'template:write': ['admin', 'marketer'],
  /** Sends the send-time policy suppressed, with their reason (no bodies). */
  'suppression:read': ['admin'],
  // Issue 12 (KPIs): aggregate analytics.
  /**
   * The KPI dashboard: counts and rates, never a patient; roles without clinical access see
   * no small cells (docs/kpis.md). Every read is audited.
   */
  'analytics:read': ['admin', 'care-coordinator', 'marketer', 'analyst'],
  /** Recomputing the KPI rollup now (it is also refreshed nightly). */
  'analytics:refresh': ['admin', 'analyst'],
  // Issue 11: the shared inbox.
  /** Reading conversations (message bodies; each read audited): the care team, not marketing. */
  'inbox:read': ['admin', 'front-desk', 'care-coordinator', 'clinician'],
  /** Working the inbox: assigning, statuses, notes, replies. Front desk and coordinators. */
  'inbox:work': ['admin', 'front-desk', 'care-coordinator'],
  // Issue 11: integrations.
  /** API clients for systems, webhook endpoints and their delivery log (docs/adr/0029). */
  'integration:manage': ['admin'],
  // Issue 13: the waitlist and slot recovery.
  /** The waitlist, its offers and the recovery dashboard (names per FIELD_POLICY). */
  'waitlist:read': ['admin', 'front-desk', 'care-coordinator', 'clinician'],
  /** Adding patients to the waitlist, follow-ups, priorities. */
  'waitlist:write': ['admin', 'front-desk', 'care-coordinator', 'clinician'],
  // Issue 11 (h11j): manual enrolment (medication reminders, a recall): the care team's work.
  /** Enrolling a patient by hand in a published journey; audited, restrictions guarded. */
  'journey:enrol': ['admin', 'care-coordinator'],
  // Issue 11 (h11l): patient lists (a recall list, lists saved from the journey map).
  /** Reading lists and their members (names only; audited). */
  'list:read': ['admin', 'front-desk', 'care-coordinator', 'clinician'],
  /** Adding and removing members: starts the journeys on the list; restrictions guarded. */
  'list:write': ['admin', 'front-desk', 'care-coordinator'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/**
 * A route's declared access rule. `public` routes need no session (login, health, docs).
 * `webhook` routes need no session either: a provider calls them, and the route itself checks
 * the provider's signature over the request (403 on a bad one) before reading anything.
 */
export type RoutePolicy =
  | { public: true }
  | { permission: Permission }
  | { webhook: 'twilio-signature' }
  // Issue 11: a provider's bounce and complaint reports, signed as Standard Webhooks.
  | { webhook: 'email-events-signature' };
