import { routeRef } from '../contract.js';
import type { authRoutes } from './auth.js';

/**
 * The routes of signing in (the session probe, sign-in, sign-out, the second-factor step) as
 * references to their entries in the table, without their schemas: the sign-in page calls them
 * and stays under its first-visit budget (docs/adr/0017), where importing `routes` would bring
 * TypeBox and every route's schema with it. Only the table's types are imported here; a method,
 * path or policy that differs from the entry's does not compile.
 */
export const signInRoutes = {
  session: routeRef<typeof authRoutes.session>({
    method: 'GET',
    path: '/api/auth/session',
    policy: { public: true },
  }),
  login: routeRef<typeof authRoutes.login>({
    method: 'POST',
    path: '/api/auth/login',
    policy: { public: true },
  }),
  logout: routeRef<typeof authRoutes.logout>({
    method: 'POST',
    path: '/api/auth/logout',
    policy: { permission: 'session:self' },
  }),
  mfaVerify: routeRef<typeof authRoutes.mfaVerify>({
    method: 'POST',
    path: '/api/auth/mfa/verify',
    policy: { permission: 'session:self' },
  }),
};
