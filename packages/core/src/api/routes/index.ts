import { type RouteOf, routesOf } from '../contract.js';
import { auditRoutes } from './audit.js';
import { authRoutes, userRoutes } from './auth.js';
// Issue 13: the capacity dashboard.
import { capacityRoutes } from './capacity.js';
import { directoryRoutes } from './directory.js';
import { fhirRoutes } from './fhir.js';
import { healthRoutes } from './health.js';
import { hl7Routes } from './hl7.js';
import { csvImportRoutes } from './imports.js';
// Issue 11: the shared inbox, portal secure messaging and call tasks.
import { inboxRoutes, portalMessagingRoutes } from './inbox.js';
// Issue 11: integrations (API clients, webhooks).
import { integrationRoutes } from './integrations.js';
import { journeyMapRoutes } from './journey-map.js';
import { journeyRoutes } from './journeys.js';
import { kpiRoutes } from './kpis.js';
// Issue 11 (h11l): patient lists.
import { listRoutes } from './lists.js';
import { mailboxRoutes } from './mailbox.js';
import { mpiRoutes } from './mpi.js';
import { noteRoutes } from './notes.js';
import { patientRoutes } from './patients.js';
import { portalRoutes } from './portal.js';
// Issue 13 (h13a): the portal books.
import { portalSchedulingRoutes } from './portal-scheduling.js';
// Issue 13 (h13r): pre-registration before a visit.
import { preRegistrationRoutes } from './pre-registration.js';
// Issue 9: questionnaire answers, read on the 360 page.
import { questionnaireRoutes } from './questionnaires.js';
import { restrictionRoutes } from './restrictions.js';
// Issue 10.3: staff scheduling, the last routes declared the old way.
import { schedulingRoutes } from './scheduling.js';
import { smsRoutes } from './sms.js';
// Issue 11 (h11v): the post-visit survey.
import { surveyRoutes } from './surveys.js';
import { taskRoutes } from './tasks.js';
import { messagingRoutes, templateRoutes } from './templates.js';
// Issue 13: the waitlist and slot recovery.
import { waitlistRoutes } from './waitlist.js';

/**
 * The API's route table: every `/api` route, its schemas and its permission, read by the server
 * (which registers its routes from it and no others) and by the web client (which calls them).
 */
export const routes = {
  tasks: taskRoutes,
  patients: patientRoutes,
  auth: authRoutes,
  users: userRoutes,
  audit: auditRoutes,
  health: healthRoutes,
  notes: noteRoutes,
  mailbox: mailboxRoutes,
  directory: directoryRoutes,
  portal: portalRoutes,
  restrictions: restrictionRoutes,
  mpi: mpiRoutes,
  // Issue 10.3: the routes declared the old way until now.
  hl7: hl7Routes,
  csvImport: csvImportRoutes,
  fhir: fhirRoutes,
  sms: smsRoutes,
  journeys: journeyRoutes,
  templates: templateRoutes,
  messaging: messagingRoutes,
  journeyMap: journeyMapRoutes,
  kpis: kpiRoutes,
  // Issue 11: the shared inbox, portal secure messaging and call tasks.
  inbox: inboxRoutes,
  portalMessaging: portalMessagingRoutes,
  // Issue 11: integrations (API clients, webhooks).
  integrations: integrationRoutes,
  // Issue 13: the capacity dashboard.
  capacity: capacityRoutes,
  // Issue 13 (h13a): the portal books.
  portalScheduling: portalSchedulingRoutes,
  // Issue 13: the waitlist and slot recovery.
  waitlist: waitlistRoutes,
  // Issue 13 (h13r): pre-registration before a visit.
  preRegistration: preRegistrationRoutes,
  // Issue 10.3: staff scheduling, the last routes declared the old way.
  scheduling: schedulingRoutes,
  // Issue 9: questionnaire answers, read on the 360 page.
  questionnaires: questionnaireRoutes,
  // Issue 11 (h11l): patient lists and their members.
  lists: listRoutes,
  // Issue 11 (h11v): the post-visit survey.
  surveys: surveyRoutes,
};

export type Routes = typeof routes;
/** Any route of the table: the server's `defineRoute` accepts nothing else. */
export type TableRoute = RouteOf<Routes>;

/** Every route of the table, for the server's check and the tests. */
export const allRoutes: readonly TableRoute[] = routesOf(routes);
