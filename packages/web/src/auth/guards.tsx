import type { Role } from '@careloop/core';
import { Navigate, Outlet, useLocation } from 'react-router';
import { ErrorMessage, PageLoader } from '../ui/states';
import { SessionContext, useSessionQuery } from './session';

/** Where a role lands after signing in: patients in the portal, staff in the console. */
export function homeFor(role: Role): string {
  return role === 'patient' ? '/portal' : '/';
}

/**
 * Renders its child routes only for a signed-in user of the right audience; everyone else is
 * sent to the matching login page (remembering where they were going) or to their own home.
 */
export function RequireSession({ audience }: { audience: 'staff' | 'patient' }) {
  const session = useSessionQuery();
  const location = useLocation();
  const loginPath = audience === 'patient' ? '/portal/login' : '/login';

  if (session.isPending) return <PageLoader label="Checking your session" />;
  if (session.isError)
    return <ErrorMessage error={session.error} onRetry={() => session.refetch()} />;
  const state = session.data;
  if (state.status === 'signed-out') {
    return (
      <Navigate to={loginPath} replace state={{ from: location.pathname + location.search }} />
    );
  }
  // A sign-in half done (second factor due) finishes on the login page.
  if (state.info.stage !== 'active') {
    return (
      <Navigate to={loginPath} replace state={{ from: location.pathname + location.search }} />
    );
  }
  const isPatient = state.info.user.role === 'patient';
  if (isPatient !== (audience === 'patient')) {
    return <Navigate to={homeFor(state.info.user.role)} replace />;
  }
  return (
    <SessionContext value={state.info}>
      <Outlet />
    </SessionContext>
  );
}
