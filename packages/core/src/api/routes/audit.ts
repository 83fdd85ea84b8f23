import {
  AuditExportQuery,
  AuditListQuery,
  AuditPage,
  AuditVerifyResult,
  MAX_AUDIT_EXPORT_ROWS,
} from '../audit.js';
import { route } from '../contract.js';

const read = { permission: 'audit:read' } as const;
const tags = ['audit'] as const;

export const auditRoutes = {
  list: route({
    method: 'GET',
    path: '/api/audit',
    policy: read,
    tags,
    summary: "The organization's audit log, newest first, with patients' names",
    query: AuditListQuery,
    reply: AuditPage,
  }),
  /** A CSV file, not JSON: the web links to it (`urlOf`) rather than calling it. */
  export: route({
    method: 'GET',
    path: '/api/audit/export',
    policy: read,
    tags,
    summary: `The filtered audit log as CSV, newest first, streamed; refused above ${MAX_AUDIT_EXPORT_ROWS.toLocaleString('en-US')} events`,
    query: AuditExportQuery,
  }),
  verify: route({
    method: 'POST',
    path: '/api/audit/verify',
    policy: read,
    tags,
    summary:
      "Recompute the organization's audit hash chain and check it against the checkpoint file, as `careloop audit verify` does",
    reply: AuditVerifyResult,
  }),
};
