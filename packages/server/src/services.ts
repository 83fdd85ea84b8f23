import type { Config } from './config.js';
import type { FieldCipher } from './crypto/field-cipher.js';
import type { Database } from './db/client.js';
import { AuditLog } from './modules/audit/service.js';
import { SecondFactorService } from './modules/auth/mfa.js';
import { PasswordResetService } from './modules/auth/password-reset.js';
import { type AuthOptions, AuthService } from './modules/auth/service.js';
import { UserService } from './modules/auth/users.js';
import { CsvImportService } from './modules/csv-import/service.js';
import { DirectoryService } from './modules/directory/service.js';
import { FhirService } from './modules/fhir/service.js';
import { Hl7Service } from './modules/hl7/service.js';
// Issue 11: the job runner and the outbox.
import { JobRunner } from './modules/jobs/runner.js';
import { type EmailChannel, LocalMailbox, SmtpChannel } from './modules/messaging/email.js';
import { OUTBOX_QUEUE_POLICY, OutboxService } from './modules/messaging/outbox.js';
import { MpiService } from './modules/mpi/service.js';
import { NoteService } from './modules/notes/service.js';
import { PatientService } from './modules/patients/service.js';
import { PortalRegistrationService } from './modules/portal/registration.js';
import { RestrictionService } from './modules/restrictions/service.js';
import { TaskService } from './modules/tasks/service.js';

/** The application's services, built once per process and shared by routes and the CLI. */
export interface Services {
  config: Config;
  database: Database;
  cipher: FieldCipher;
  audit: AuditLog;
  auth: AuthService;
  mfa: SecondFactorService;
  patients: PatientService;
  notes: NoteService;
  tasks: TaskService;
  directory: DirectoryService;
  users: UserService;
  fhir: FhirService;
  hl7: Hl7Service;
  mpi: MpiService;
  csvImport: CsvImportService;
  portalRegistration: PortalRegistrationService;
  restrictions: RestrictionService;
  // Issue 11: the job runner (started by `startServer`) and the outbox.
  jobs: JobRunner;
  outbox: OutboxService;
  passwordReset: PasswordResetService;
}

/** SMTP when configured, else the built-in local mailbox (the demo). */
export function emailChannelFor(config: Config): EmailChannel {
  return config.smtp ? new SmtpChannel(config.smtp) : new LocalMailbox();
}

export function createServices(
  config: Config,
  database: Database,
  cipher: FieldCipher,
  authOptions: AuthOptions = {},
  /** The clock of time-limited grants (break-glass); tests move it without ending sessions. */
  grantClock: () => Date = () => new Date(),
): Services {
  const audit = new AuditLog(database);
  const auth = new AuthService(
    database,
    { idleMinutes: config.sessionIdleMinutes, absoluteHours: config.sessionAbsoluteHours },
    authOptions,
  );
  // Issue 11: the job runner and the outbox.
  const jobs = new JobRunner(database).define('outbox.send', OUTBOX_QUEUE_POLICY);
  const outbox = new OutboxService(database, cipher, audit, jobs, emailChannelFor(config), {
    from: config.mailFrom,
    clock: () => auth.now(),
  });
  return {
    jobs,
    outbox,
    passwordReset: new PasswordResetService(database, auth, outbox, config.publicUrl),
    config,
    database,
    cipher,
    audit,
    auth,
    mfa: new SecondFactorService(database, auth, cipher),
    patients: new PatientService(database, audit, cipher),
    notes: new NoteService(database, audit, cipher),
    tasks: new TaskService(database, audit, cipher),
    directory: new DirectoryService(database, audit),
    users: new UserService(database, auth, audit),
    fhir: new FhirService(database, audit, cipher),
    mpi: new MpiService(database, audit),
    portalRegistration: new PortalRegistrationService(database, auth, outbox, config.publicUrl),
    hl7: new Hl7Service(database, audit, cipher, { logLevel: config.logLevel }),
    csvImport: new CsvImportService(database, audit, cipher),
    restrictions: new RestrictionService(database, audit, cipher, {
      grantMinutes: config.breakGlassMinutes,
      clock: grantClock,
    }),
  };
}
