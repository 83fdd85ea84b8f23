import { createBrowserRouter, Navigate } from 'react-router';
import { AuditLogPage } from './admin/AuditLogPage';
import { UsersPage } from './admin/UsersPage';
import { RequireSession } from './auth/guards';
import { LoginPage } from './auth/LoginPage';
import { RequirePermission } from './auth/RequirePermission';
import { Patient360Page } from './patients/Patient360Page';
import { PatientListPage } from './patients/PatientListPage';
import { PortalHome } from './portal/PortalHome';
import { PortalLayout } from './portal/PortalLayout';
import { StaffShell } from './shell/StaffShell';
import { TasksPage } from './tasks/TasksPage';
import { NotFound, RouteError } from './ui/RouteError';

export const router = createBrowserRouter([
  { path: '/login', element: <LoginPage audience="staff" />, errorElement: <RouteError /> },
  {
    path: '/portal/login',
    element: <LoginPage audience="patient" />,
    errorElement: <RouteError />,
  },
  {
    path: '/portal',
    element: <RequireSession audience="patient" />,
    errorElement: <RouteError />,
    children: [
      {
        element: <PortalLayout />,
        children: [
          { index: true, element: <PortalHome /> },
          { path: '*', element: <NotFound home="/portal" /> },
        ],
      },
    ],
  },
  {
    path: '/',
    element: <RequireSession audience="staff" />,
    errorElement: <RouteError />,
    children: [
      {
        element: <StaffShell />,
        children: [
          { index: true, element: <PatientListPage /> },
          { path: 'patients', element: <PatientListPage /> },
          { path: 'patients/:id', element: <Patient360Page /> },
          {
            element: <RequirePermission permission="task:read" />,
            children: [{ path: 'tasks', element: <TasksPage /> }],
          },
          {
            element: <RequirePermission permission="user:read" />,
            children: [{ path: 'admin/users', element: <UsersPage /> }],
          },
          {
            element: <RequirePermission permission="audit:read" />,
            children: [{ path: 'admin/audit', element: <AuditLogPage /> }],
          },
          { path: 'admin', element: <Navigate to="/admin/users" replace /> },
          { path: '*', element: <NotFound home="/" /> },
        ],
      },
    ],
  },
]);
