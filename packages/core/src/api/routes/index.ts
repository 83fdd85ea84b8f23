import { type RouteOf, routesOf } from '../contract.js';
import { auditRoutes } from './audit.js';
import { authRoutes, userRoutes } from './auth.js';
import { directoryRoutes } from './directory.js';
import { healthRoutes } from './health.js';
import { mailboxRoutes } from './mailbox.js';
import { mpiRoutes } from './mpi.js';
import { noteRoutes } from './notes.js';
import { patientRoutes } from './patients.js';
import { portalRoutes } from './portal.js';
import { restrictionRoutes } from './restrictions.js';
import { taskRoutes } from './tasks.js';
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
  // Issue 13: the waitlist and slot recovery.
  waitlist: waitlistRoutes,
};

export type Routes = typeof routes;
/** Any route of the table: the server's `defineRoute` accepts nothing else. */
export type TableRoute = RouteOf<Routes>;

/** Every route of the table, for the server's check and the tests. */
export const allRoutes: readonly TableRoute[] = routesOf(routes);
