import { createBrowserRouter, Navigate } from 'react-router';
import { RequireSession } from './auth/guards';
import { LoginPage } from './auth/LoginPage';
import { RequirePermission } from './auth/RequirePermission';
import { NotFound, RouteError } from './ui/RouteError';
import { PageLoader } from './ui/states';

// Only the sign-in page is in the first bundle, so a first visit loads what signing in needs
// (docs/delivery.md); every other page, the console's frame included, loads on first visit (the
// pages users land on start loading while they sign in: auth/preload.ts).
const lazyPage = {
  staffShell: async () => ({ Component: (await import('./shell/StaffShell')).StaffShell }),
  patientList: async () => ({
    Component: (await import('./patients/PatientListPage')).PatientListPage,
  }),
  patient360: async () => ({
    Component: (await import('./patients/Patient360Page')).Patient360Page,
  }),
  tasks: async () => ({ Component: (await import('./tasks/TasksPage')).TasksPage }),
  users: async () => ({ Component: (await import('./admin/UsersPage')).UsersPage }),
  audit: async () => ({ Component: (await import('./admin/AuditLogPage')).AuditLogPage }),
  interfaces: async () => ({
    Component: (await import('./admin/InterfacesPage')).InterfacesPage,
  }),
  breakGlass: async () => ({
    Component: (await import('./restricted/BreakGlassReportPage')).BreakGlassReportPage,
  }),
  reviews: async () => ({ Component: (await import('./mpi/ReviewQueuePage')).ReviewQueuePage }),
  review: async () => ({ Component: (await import('./mpi/ReviewDetailPage')).ReviewDetailPage }),
  imports: async () => ({ Component: (await import('./imports/ImportPage')).ImportPage }),
  security: async () => ({ Component: (await import('./auth/SecurityPage')).SecurityPage }),
  portalLayout: async () => ({ Component: (await import('./portal/PortalLayout')).PortalLayout }),
  portalHome: async () => ({ Component: (await import('./portal/PortalHome')).PortalHome }),
  portalRegister: async () => ({
    Component: (await import('./portal/RegisterPage')).RegisterPage,
  }),
  // Issue 11: password reset and the test mailbox.
  mailbox: async () => ({
    Component: (await import('./messaging/TestMailboxPage')).TestMailboxPage,
  }),
  // Issue 11: the SMS channel's Test phone.
  phone: async () => ({
    Component: (await import('./messaging/TestPhonePage')).TestPhonePage,
  }),
  // Issue 12: the journey map.
  journeyMap: async () => ({
    Component: (await import('./journey-map/JourneyMapPage')).JourneyMapPage,
  }),
  journeyMapSettings: async () => ({
    Component: (await import('./journey-map/JourneyMapSettingsPage')).JourneyMapSettingsPage,
  }),
  // Issue 13: the schedule.
  schedule: async () => ({
    Component: (await import('./scheduling/SchedulePage')).SchedulePage,
  }),
  // Issue 11: integrations (API clients, webhooks).
  integrations: async () => ({
    Component: (await import('./integrations/IntegrationsPage')).IntegrationsPage,
  }),
  // Issue 11: journeys.
  journeys: async () => ({ Component: (await import('./journeys/JourneysPage')).JourneysPage }),
  journey: async () => ({
    Component: (await import('./journeys/JourneyBuilderPage')).JourneyBuilderPage,
  }),
  journeyDeadLetters: async () => ({
    Component: (await import('./journeys/DeadLettersPage')).DeadLettersPage,
  }),
  // Issue 11: message templates.
  templates: async () => ({
    Component: (await import('./templates/TemplatesPage')).TemplatesPage,
  }),
  suppressed: async () => ({
    Component: (await import('./templates/SuppressedPage')).SuppressedPage,
  }),
  // Issue 12: the KPI dashboard.
  kpis: async () => ({
    Component: (await import('./kpis/KpiDashboardPage')).KpiDashboardPage,
  }),
  // Issue 10.5: organization settings (MRN format, default location).
  organizationSettings: async () => ({
    Component: (await import('./admin/OrganizationSettingsPage')).OrganizationSettingsPage,
  }), // Issue 13: capacity and utilization.
  capacity: async () => ({
    Component: (await import('./capacity/CapacityPage')).CapacityPage,
  }),
  // Issue 11: the shared inbox and the portal's secure messaging.
  inbox: async () => ({ Component: (await import('./inbox/InboxPage')).InboxPage }),
  portalMessages: async () => ({
    Component: (await import('./portal/PortalMessagesPage')).PortalMessagesPage,
  }),
  // Issue 11 (h11l): patient lists.
  lists: async () => ({ Component: (await import('./lists/ListsPage')).ListsPage }),
  list: async () => ({ Component: (await import('./lists/ListPage')).ListPage }),
  // Issue 13: the waitlist, slot recovery and an offer's accept link.
  waitlist: async () => ({ Component: (await import('./waitlist/WaitlistPage')).WaitlistPage }),
  recovery: async () => ({ Component: (await import('./waitlist/RecoveryPage')).RecoveryPage }),
  portalWaitlist: async () => ({
    Component: (await import('./waitlist/PortalWaitlistPage')).PortalWaitlistPage,
  }),
  offerLink: async () => ({ Component: (await import('./waitlist/OfferLinkPage')).OfferLinkPage }),
  // Issue 13: the page a sign-up's verification link opens.
  verifyEmail: async () => ({
    Component: (await import('./portal/EmailVerification')).VerifyEmailPage,
  }),
  // Issue 11 (h11v): the post-visit survey, by link and signed in.
  surveyLink: async () => ({ Component: (await import('./portal/SurveyPage')).SurveyLinkPage }),
  mySurveys: async () => ({ Component: (await import('./portal/SurveyPage')).MySurveysPage }),
};

// Issue 11: "Forgot password?" and the page a reset link opens, for staff and patients.
const resetPages = (['staff', 'patient'] as const).flatMap((audience) => {
  const prefix = audience === 'patient' ? '/portal' : '';
  const pages = () => import('./auth/PasswordResetPages');
  return [
    {
      path: `${prefix}/forgot-password`,
      lazy: async () => {
        const { ForgotPasswordPage } = await pages();
        return { Component: () => <ForgotPasswordPage audience={audience} /> };
      },
    },
    {
      path: `${prefix}/reset-password`,
      lazy: async () => {
        const { ResetPasswordPage } = await pages();
        return { Component: () => <ResetPasswordPage audience={audience} /> };
      },
    },
  ];
});

const common = { errorElement: <RouteError />, hydrateFallbackElement: <PageLoader /> };

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage audience="staff" />, ...common },
  { path: '/portal/login', element: <LoginPage audience="patient" />, ...common },
  { path: '/portal/register', lazy: lazyPage.portalRegister, ...common },
  ...resetPages.map((page) => ({ ...page, ...common })),
  // Issue 13: an offer's accept link needs no sign-in (its token is the credential).
  { path: '/portal/offer/:token', lazy: lazyPage.offerLink, ...common },
  // Issue 13: a sign-up's verification link needs no sign-in (its token is the credential).
  { path: '/portal/verify-email', lazy: lazyPage.verifyEmail, ...common },
  // Issue 11 (h11v): a survey link needs no sign-in (its token is the credential).
  { path: '/portal/surveys', lazy: lazyPage.surveyLink, ...common },
  {
    path: '/portal',
    element: <RequireSession audience="patient" />,
    ...common,
    children: [
      {
        lazy: lazyPage.portalLayout,
        children: [
          { index: true, lazy: lazyPage.portalHome },
          // Issue 11: secure messaging.
          { path: 'messages', lazy: lazyPage.portalMessages },
          // Issue 13 (h13a): the portal books.
          {
            path: 'book',
            lazy: async () => ({ Component: (await import('./portal/BookPage')).BookPage }),
          },
          {
            path: 'appointments',
            lazy: async () => ({
              Component: (await import('./portal/AppointmentsPage')).AppointmentsPage,
            }),
          },
          // Issue 13: the waitlist and follow-ups.
          { path: 'waitlist', lazy: lazyPage.portalWaitlist },
          // Issue 13 (h13r): pre-registration before a visit.
          {
            path: 'pre-registration',
            lazy: async () => ({
              Component: (await import('./portal/PreRegistrationPage')).PreRegistrationPage,
            }),
          },
          // Issue 11 (h11v): the post-visit surveys of the signed-in patient.
          { path: 'my-surveys', lazy: lazyPage.mySurveys },
          { path: '*', element: <NotFound home="/portal" /> },
        ],
      },
    ],
  },
  {
    path: '/',
    element: <RequireSession audience="staff" />,
    ...common,
    children: [
      {
        lazy: lazyPage.staffShell,
        children: [
          { index: true, lazy: lazyPage.patientList },
          { path: 'patients', lazy: lazyPage.patientList },
          { path: 'patients/:id', lazy: lazyPage.patient360 },
          { path: 'account/security', lazy: lazyPage.security },
          {
            element: <RequirePermission permission="task:read" />,
            children: [{ path: 'tasks', lazy: lazyPage.tasks }],
          },
          {
            element: <RequirePermission permission="user:read" />,
            children: [{ path: 'admin/users', lazy: lazyPage.users }],
          },
          {
            element: <RequirePermission permission="audit:read" />,
            children: [{ path: 'admin/audit', lazy: lazyPage.audit }],
          },
          {
            element: <RequirePermission permission="restriction:manage" />,
            children: [{ path: 'admin/break-glass', lazy: lazyPage.breakGlass }],
          },
          {
            element: <RequirePermission permission="patient:merge" />,
            children: [
              { path: 'mpi/reviews', lazy: lazyPage.reviews },
              { path: 'mpi/reviews/:id', lazy: lazyPage.review },
            ],
          },
          {
            element: <RequirePermission permission="interop:write" />,
            children: [
              { path: 'imports', lazy: lazyPage.imports },
              { path: 'admin/interfaces', lazy: lazyPage.interfaces },
            ],
          },
          // Issue 11: the test mailbox.
          {
            element: <RequirePermission permission="mailbox:read" />,
            children: [{ path: 'admin/mailbox', lazy: lazyPage.mailbox }],
          },
          // Issue 11: the SMS channel's Test phone.
          {
            element: <RequirePermission permission="sms-gateway:use" />,
            children: [{ path: 'admin/phone', lazy: lazyPage.phone }],
          },
          // Issue 12: the journey map.
          {
            element: <RequirePermission permission="journey-map:read" />,
            children: [{ path: 'journey-map', lazy: lazyPage.journeyMap }],
          },
          {
            element: <RequirePermission permission="journey-map:configure" />,
            children: [{ path: 'journey-map/settings', lazy: lazyPage.journeyMapSettings }],
          },
          // Issue 13: the schedule.
          {
            element: <RequirePermission permission="schedule:read" />,
            children: [{ path: 'schedule', lazy: lazyPage.schedule }],
          },
          // Issue 11: journeys.
          {
            element: <RequirePermission permission="journey:write" />,
            children: [{ path: 'journeys/dead-letters', lazy: lazyPage.journeyDeadLetters }],
          },
          {
            element: <RequirePermission permission="journey:read" />,
            children: [
              { path: 'journeys', lazy: lazyPage.journeys },
              { path: 'journeys/:id', lazy: lazyPage.journey },
            ],
          },
          // Issue 11: message templates.
          {
            element: <RequirePermission permission="template:read" />,
            children: [{ path: 'templates', lazy: lazyPage.templates }],
          },
          {
            element: <RequirePermission permission="suppression:read" />,
            children: [{ path: 'admin/suppressed', lazy: lazyPage.suppressed }],
          },
          // Issue 12: the KPI dashboard.
          {
            element: <RequirePermission permission="analytics:read" />,
            children: [{ path: 'analytics/kpis', lazy: lazyPage.kpis }],
          },
          // Issue 10.5: organization settings.
          {
            element: <RequirePermission permission="directory:write" />,
            children: [{ path: 'admin/organization', lazy: lazyPage.organizationSettings }],
          },
          // Issue 11: the shared inbox.
          {
            element: <RequirePermission permission="inbox:read" />,
            children: [{ path: 'inbox', lazy: lazyPage.inbox }],
          },
          // Issue 11: integrations.
          {
            element: <RequirePermission permission="integration:manage" />,
            children: [{ path: 'admin/integrations', lazy: lazyPage.integrations }],
          },
          // Issue 13: capacity and utilization.
          {
            element: <RequirePermission permission="analytics:read" />,
            children: [{ path: 'analytics/capacity', lazy: lazyPage.capacity }],
          },
          // Issue 11 (h11l): patient lists.
          {
            element: <RequirePermission permission="list:read" />,
            children: [
              { path: 'lists', lazy: lazyPage.lists },
              { path: 'lists/:id', lazy: lazyPage.list },
            ],
          },
          // Issue 13: the waitlist and slot recovery.
          {
            element: <RequirePermission permission="waitlist:read" />,
            children: [
              { path: 'waitlist', lazy: lazyPage.waitlist },
              { path: 'waitlist/recovery', lazy: lazyPage.recovery },
            ],
          },
          { path: 'admin', element: <Navigate to="/admin/users" replace /> },
          { path: 'mpi', element: <Navigate to="/mpi/reviews" replace /> },
          { path: '*', element: <NotFound home="/" /> },
        ],
      },
    ],
  },
]);
