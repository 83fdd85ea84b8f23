import type { FieldCipher } from '../../crypto/field-cipher.js';
import type { Database } from '../../db/client.js';
import type { AuditLog } from '../audit/service.js';
import type { EncounterEventSink, ReferralEventSink } from '../clinical/service.js';
import type { AppointmentEventSink } from '../scheduling/service.js';
import { FhirImportService } from './import/import-service.js';
import { FhirReadService } from './read/read-service.js';

/** The FHIR R4 interface: bundles in (`imports`), resources out (`reads`). */
export class FhirService {
  readonly imports: FhirImportService;
  readonly reads: FhirReadService;

  constructor(
    database: Database,
    audit: AuditLog,
    cipher: FieldCipher,
    appointmentEvents: AppointmentEventSink | null = null,
    encounterEvents: EncounterEventSink | null = null,
    referralEvents: ReferralEventSink | null = null,
  ) {
    this.imports = new FhirImportService(
      database,
      audit,
      cipher,
      appointmentEvents,
      encounterEvents,
      referralEvents,
    );
    this.reads = new FhirReadService(database, audit, cipher);
  }
}
