/**
 * Starts loading the pages a user lands on after signing in while the password is checked
 * (argon2 takes a while), so the patient list or the portal shows as soon as the session is
 * there. The same modules as router.tsx's lazy routes, so the route finds them loaded. A failed
 * load is not reported here: the route loads the page again and shows its error.
 */
export function preloadHome(audience: 'staff' | 'patient'): void {
  const loads: Promise<unknown>[] =
    audience === 'staff'
      ? [import('../shell/StaffShell'), import('../patients/PatientListPage')]
      : [import('../portal/PortalLayout'), import('../portal/PortalHome')];
  for (const load of loads) load.catch(() => undefined);
}
