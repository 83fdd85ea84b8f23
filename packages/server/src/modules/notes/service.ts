import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Database } from '../../db/client.js';
import type { AuditLog } from '../audit/service.js';

export class NoteService {
  constructor(
    readonly database: Database,
    readonly audit: AuditLog,
    readonly cipher: FieldCipher,
  ) {}
}
