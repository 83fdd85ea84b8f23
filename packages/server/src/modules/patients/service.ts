import type { Database } from '../../db/client.js';
import type { AuditLog } from '../audit/service.js';

export class PatientService {
  constructor(
    readonly database: Database,
    readonly audit: AuditLog,
  ) {}
}
