import type { Permission } from '@careloop/core';
import { Outlet } from 'react-router';
import { EmptyMessage } from '../ui/states';
import { useCan } from './session';

/** A page the role cannot use says so instead of showing a wall of 403 errors. */
export function RequirePermission({ permission }: { permission: Permission }) {
  const allowed = useCan(permission);
  if (!allowed) {
    return (
      <EmptyMessage
        title="Not available for your role"
        description="Ask an administrator if you need access."
      />
    );
  }
  return <Outlet />;
}
