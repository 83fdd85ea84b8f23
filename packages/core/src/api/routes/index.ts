import { type RouteOf, routesOf } from '../contract.js';
import { taskRoutes } from './tasks.js';

/**
 * The API's route table: every `/api` route, its schemas and its permission, read by the server
 * (which registers its routes from it and no others) and by the web client (which calls them).
 */
export const routes = {
  tasks: taskRoutes,
};

export type Routes = typeof routes;
/** Any route of the table: the server's `defineRoute` accepts nothing else. */
export type TableRoute = RouteOf<Routes>;

/** Every route of the table, for the server's check and the tests. */
export const allRoutes: readonly TableRoute[] = routesOf(routes);
