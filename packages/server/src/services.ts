import type { Config } from './config.js';
import type { FieldCipher } from './crypto/field-cipher.js';
import type { Database } from './db/client.js';
import { AuditLog } from './modules/audit/service.js';
// Issue 13: portal email verification.
import { EmailVerificationService } from './modules/auth/email-verification.js';
import { SecondFactorService } from './modules/auth/mfa.js';
import { PasswordResetService } from './modules/auth/password-reset.js';
import { type AuthOptions, AuthService } from './modules/auth/service.js';
import { UserService } from './modules/auth/users.js';
// Issue 13: the capacity dashboard.
import { CapacityService } from './modules/capacity/service.js';
// Issue 9: questionnaire answers, read on the 360 page.
import { QuestionnaireReader } from './modules/clinical/questionnaires.js';
// Issue 11 (h11j): referrals announced to journeys.
import {
  encounterEventsTo,
  referralEventsTo,
  withDischargeJourneys,
} from './modules/clinical/service.js';
import { CsvImportService } from './modules/csv-import/service.js';
import { DirectoryService } from './modules/directory/service.js';
// Issue 11: the job runner and the outbox.
import { EhrLink } from './modules/ehr-link/service.js';
import { FhirService } from './modules/fhir/service.js';
import { Hl7Service } from './modules/hl7/service.js';
// Issue 11: the shared inbox, portal secure messaging and call tasks.
import { renderQuickReply } from './modules/inbox/notify.js';
import { PortalMessaging } from './modules/inbox/portal.js';
import { InboxService } from './modules/inbox/service.js';
// Issue 11: integrations (API clients).
import { ApiClientService } from './modules/integrations/clients/service.js';
import { EmailEventService } from './modules/integrations/email-events/service.js';
import { WebhookSender } from './modules/integrations/webhooks/sender.js';
import { WebhookService } from './modules/integrations/webhooks/service.js';
// Issue 11: the job runner and the outbox.
import { JobRunner } from './modules/jobs/runner.js';
// Issue 12: the journey map.
import { JourneyMapService } from './modules/journey-map/service.js';
// Issue 11: journeys.
import { JOURNEY_STEP_QUEUE_POLICY, JourneyRuntime } from './modules/journeys/runtime.js';
import { TemplateJourneySender } from './modules/journeys/sender.js';
import { JourneyService } from './modules/journeys/service.js';
// Issue 12: the KPI dashboard.
import { KPI_QUEUE_POLICY, KpiService } from './modules/kpis/service.js';
// Issue 11 (h11l): patient lists.
import { ListService } from './modules/lists/service.js';
import { type EmailChannel, LocalMailbox, SmtpChannel } from './modules/messaging/email.js';
import { OUTBOX_QUEUE_POLICY, OutboxService } from './modules/messaging/outbox.js';
import { SendPolicy } from './modules/messaging/send-policy.js';
import { MessagingService } from './modules/messaging/send-template.js';
// Issue 11: the SMS channel.
import { SmsGateway } from './modules/messaging/sms/gateway.js';
import { SmsInbox } from './modules/messaging/sms/inbound.js';
import { LocalSmsGateway, type SmsProvider } from './modules/messaging/sms/provider.js';
import { TwilioSms } from './modules/messaging/sms/twilio.js';
import { MpiService } from './modules/mpi/service.js';
import { NoteService } from './modules/notes/service.js';
import { PatientCoverageService } from './modules/patients/coverage.js';
// Issue 13 (h13r): pre-registration before a visit.
import type { CheckedCard } from './modules/patients/coverage-cards.js';
import { PatientService } from './modules/patients/service.js';
import { PortalRegistrationService } from './modules/portal/registration.js';
import { PreRegistrationService } from './modules/pre-registration/service.js';
// Issue 11 (h11r): "R" to a reminder offers open slots.
import { RescheduleOfferService } from './modules/reschedule-offers/service.js';
import { RestrictionService } from './modules/restrictions/service.js';
// Issue 13 (h13a): the portal books.
import { AppointmentConfirmations } from './modules/scheduling/confirmation.js';
import { appointmentEventsTo } from './modules/scheduling/imported-events.js';
import { PortalScheduling } from './modules/scheduling/portal.js';
// Issue 13: scheduling.
import { SchedulingService } from './modules/scheduling/service.js';
// Issue 11 (h11v): the post-visit survey.
import { SurveyLinks } from './modules/surveys/links.js';
import { SurveyService } from './modules/surveys/service.js';
import { CallTaskService } from './modules/tasks/calls.js';
import { TaskService } from './modules/tasks/service.js';
import { TemplateService } from './modules/templates/service.js';
// Issue 13: the waitlist and slot recovery.
import { SlotRecovery } from './modules/waitlist/recovery.js';
import { WaitlistService } from './modules/waitlist/service.js';

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
  // Issue 12: the KPI dashboard and its rollup.
  kpis: KpiService;
  // Issue 11: templates, and the one send API for patient messages.
  templates: TemplateService;
  messaging: MessagingService;
  sendPolicy: SendPolicy;
  // Issue 11: journeys (definitions, and the runtime the worker drives).
  journeys: JourneyService;
  // Issue 13: the scheduling module.
  scheduling: SchedulingService;
  // Issue 12: the journey map.
  journeyMap: JourneyMapService;
  // Issue 11: the SMS channel.
  smsInbox: SmsInbox;
  smsGateway: SmsGateway;
  // Issue 11: the shared inbox, portal secure messaging and call tasks.
  inbox: InboxService;
  portalMessaging: PortalMessaging;
  calls: CallTaskService;
  // Issue 11: integrations (API clients for systems).
  apiClients: ApiClientService;
  webhooks: WebhookService;
  emailEvents: EmailEventService;
  // Issue 13: the capacity and utilization dashboard.
  capacity: CapacityService;
  // Issue 13 (h13a): the portal books.
  portalScheduling: PortalScheduling;
  // Issue 13: the waitlist and slot recovery.
  waitlist: WaitlistService;
  // Issue 13 (h13r): pre-registration before a visit.
  preRegistration: PreRegistrationService<CheckedCard>;
  // Issue 9: questionnaire answers, read on the 360 page.
  questionnaires: QuestionnaireReader;
  // Issue 13: portal email verification.
  emailVerification: EmailVerificationService;
  /** Issue 11 (h11r): "R" to a reminder offers open slots (docs/adr/0036-reschedule-offers.md). */
  rescheduleOffers: RescheduleOfferService;
  /** Issue 11 (h11l): patient lists and their members (docs/adr/0040). */
  lists: ListService;
  // Issue 11 (h11v): the post-visit survey (docs/adr/0042-survey-links.md).
  surveys: SurveyService;
}

/** Twilio (or a compatible REST API) when configured, else the built-in local SMS gateway. */
export function smsProviderFor(config: Config): SmsProvider {
  return config.sms ? new TwilioSms(config.sms) : new LocalSmsGateway();
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
  // Issue 11: bounces and complaints (the outbox checks and records them).
  const emailEvents = new EmailEventService(database, audit);
  // Issue 11: the job runner and the outbox.
  const jobs = new JobRunner(database)
    .define('outbox.send', OUTBOX_QUEUE_POLICY)
    // Issue 12: the KPI rollup refresh; a failed refresh is retried once, the next night's redoes it.
    .define('kpis.refresh', KPI_QUEUE_POLICY)
    .define('kpis.refresh-all', KPI_QUEUE_POLICY);
  const sendPolicy = new SendPolicy(database, jobs);
  const outbox = new OutboxService(database, cipher, audit, jobs, emailChannelFor(config), {
    from: config.mailFrom,
    clock: () => auth.now(),
    // Issue 11: the SMS channel.
    sms: smsProviderFor(config),
    publicUrl: config.publicUrl,
    // Issue 11: consent, quiet hours and caps at every delivery (docs/adr/0024).
    sendPolicy,
    // Issue 11: signed webhooks (docs/adr/0029).
    webhooks: new WebhookSender(database, cipher, {
      clock: () => auth.now(),
      allowedHosts: config.integrationAllowedHosts,
    }),
    // Issue 11: bounces and complaints.
    emailEvents,
    // Issue 11 (h11d): the bounce mailbox's return paths.
    bounceAddress: config.bounceAddress,
    // Issue 13 (h13f): booking requests to the EHR's FHIR server.
    fhir: config.ehrFhir,
    // House (hci): the EHR retry's first wait.
    ehrRetrySeconds: config.ehrRetrySeconds,
  });
  // Issue 11: signed webhooks; owners of domain events queue them in their own transaction.
  const webhooks = new WebhookService(database, cipher, audit, outbox, {
    clock: () => auth.now(),
    allowedHosts: config.integrationAllowedHosts,
  });
  const restrictions = new RestrictionService(database, audit, cipher, {
    grantMinutes: config.breakGlassMinutes,
    clock: grantClock,
  });
  // Issue 11: the SMS channel.
  const patients = new PatientService(database, audit, cipher, webhooks.events);
  const smsInbox = new SmsInbox(
    database,
    cipher,
    audit,
    jobs,
    outbox,
    patients,
    () => auth.now(),
    // Issue 11: texts land in the shared inbox (built below).
    (tx, text) => inbox.fileText(tx, text),
  );
  // Issue 11: templates, and the one send API for patient messages (journeys send through it).
  // Issue 11 (h11v): survey links are signed with a subkey of the encryption key.
  const surveyLinks = SurveyLinks.fromCipher(cipher);
  const messaging = new MessagingService(outbox, { publicUrl: config.publicUrl, surveyLinks });
  // Issue 13: the scheduling module; its clock is the one tests move.
  // Issues 11 and 13: a patient's confirmation goes back to the EHR that sent the appointment.
  const ehrLink = new EhrLink(outbox, config.ehrMllpEndpoint, () => auth.now());
  const scheduling = new SchedulingService(database, audit, jobs, {
    clock: grantClock,
    // Issue 9: the cancellation reason is sealed to its appointment.
    cipher,
    afterConfirm: (tx, confirmed) => ehrLink.confirmed(tx, confirmed),
    // Issue 13 (h13a): confirmation emails with the .ics.
    confirmations: new AppointmentConfirmations(outbox),
    // Issue 11: appointment.confirmed to webhooks.
    events: webhooks.events,
    // Issue 13 (h13e): booking by request where the EHR owns the schedule.
    ehr: {
      outbox,
      endpoint: config.ehrMllpEndpoint,
      messaging,
      // Issue 13 (h13f): the FHIR path, when EHR_FHIR_BASE is set.
      fhirBase: config.ehrFhir?.base ?? null,
    },
  });
  // Issue 13 (h13e): the EHR's answers to booking requests book or refuse them.
  outbox.onEhrAnswer(async (tx, answer) => {
    await scheduling.ehr?.answered(tx, answer);
  });
  // Appointments that importers write (HL7 SIU, CSV, FHIR) reach journeys as bookings do.
  const appointmentEvents = appointmentEventsTo(jobs, grantClock);
  // Issue 11: journeys.
  jobs.define('journey.step', JOURNEY_STEP_QUEUE_POLICY);
  const journeyClock = () => auth.now();
  // Issue 11 (h11r): "R" to a reminder offers open slots; the scheduling module's clock.
  const rescheduleOffers = new RescheduleOfferService(database, audit, jobs, outbox, scheduling, {
    publicUrl: config.publicUrl,
    clock: grantClock,
  });
  // Issue 11 (h11l): patient lists; entering one starts the journeys on it.
  const lists = new ListService(database, audit, jobs, journeyClock);
  const journeyRuntime = new JourneyRuntime(
    database,
    audit,
    jobs,
    outbox,
    new TemplateJourneySender(messaging),
    journeyClock,
    scheduling,
    rescheduleOffers,
    lists,
  );
  const journeys = new JourneyService(database, audit, journeyRuntime, journeyClock, lists);
  // Issue 11 (h11l): leaving a list ends the enrolments it started (docs/adr/0040, addendum).
  lists.endsEnrolmentsThrough(journeyRuntime);
  // Issue 11 (h11w): the journey action "call a signed webhook".
  journeyRuntime.callsWebhooksThrough(webhooks.journeySteps);
  // Issue 11 (h11d): imported discharges (FHIR, HL7 A03) reach journeys and webhooks.
  const encounterEvents = encounterEventsTo(jobs, webhooks.events, grantClock);
  const domainEvents = withDischargeJourneys(jobs, webhooks.events);
  // Issue 11: the shared inbox, portal secure messaging and call tasks.
  const inbox = new InboxService(
    database,
    cipher,
    audit,
    restrictions,
    messaging,
    outbox,
    () => auth.now(),
    config.publicUrl,
  );
  // Issue 11 (docs/adr/0046): the outbox posts portal messages by the inbox's staff-reply path.
  outbox.usePortal(inbox);
  const portalMessaging = new PortalMessaging(database, cipher, audit, () => auth.now());
  const calls = new CallTaskService(
    database,
    audit,
    cipher,
    (tx, orgId, patientId, key) => renderQuickReply(tx, orgId, patientId, key, config.publicUrl),
    () => auth.now(),
    (orgId, patientId, outcome) => journeyRuntime.onCallCompleted(orgId, patientId, outcome),
  );
  // Issue 13: portal sign-ups verify their email by a one-time link.
  const emailVerification = new EmailVerificationService(database, auth, outbox, config.publicUrl);
  return {
    journeys,
    smsInbox,
    smsGateway: new SmsGateway(database, cipher, audit, smsInbox, outbox.sms),
    jobs,
    outbox,
    passwordReset: new PasswordResetService(database, auth, outbox, config.publicUrl),
    config,
    database,
    cipher,
    audit,
    auth,
    mfa: new SecondFactorService(database, auth, cipher),
    patients,
    notes: new NoteService(database, audit, cipher),
    tasks: new TaskService(database, audit, cipher),
    directory: new DirectoryService(database, audit),
    users: new UserService(database, auth, audit),
    fhir: new FhirService(
      database,
      audit,
      cipher,
      appointmentEvents,
      encounterEvents,
      referralEventsTo(jobs),
    ),
    mpi: new MpiService(database, audit, webhooks.events, lists),
    portalRegistration: new PortalRegistrationService(
      database,
      auth,
      outbox,
      config.publicUrl,
      (tx, to) => emailVerification.issue(tx, to),
    ),
    hl7: new Hl7Service(database, audit, cipher, {
      logLevel: config.logLevel,
      appointmentEvents,
      domainEvents,
      // Issue 11 (h11w): REF^I12 referrals that are news reach journeys.
      referralEvents: referralEventsTo(jobs),
      // Issue 11 (h11l): an A40 merge's list memberships follow the person.
      lists,
    }),
    csvImport: new CsvImportService(database, audit, cipher, { appointmentEvents }),
    restrictions,
    // Issue 11: templates and the send API.
    templates: new TemplateService(database, audit, restrictions, {
      publicUrl: config.publicUrl,
      clock: () => auth.now(),
    }),
    // Issue 12: the journey map.
    journeyMap: new JourneyMapService(database, audit, () => auth.now()),
    // Issue 13: the scheduling module; its clock is the one tests move.
    scheduling,
    messaging,
    sendPolicy,
    // Issue 12: the KPI dashboard and its rollup.
    kpis: new KpiService(database, audit, () => auth.now()),
    // Issue 11: the shared inbox, portal secure messaging and call tasks.
    inbox,
    portalMessaging,
    calls,
    // Issue 11: integrations (API clients for systems; docs/adr/0029).
    apiClients: new ApiClientService(database, audit, {
      clock: () => auth.now(),
      tokenUrl: `${config.publicUrl}/oauth2/token`,
      allowedHosts: config.integrationAllowedHosts,
    }),
    emailEvents,
    webhooks,
    // Issue 13: the capacity and utilization dashboard.
    // Its lead times are the scheduling module's open slots: the same clock.
    capacity: new CapacityService(database, audit, scheduling, grantClock),
    // Issue 13 (h13a): the portal books.
    portalScheduling: new PortalScheduling(database, scheduling),
    // Issue 13: the waitlist and slot recovery; the scheduling module's clock.
    waitlist: new WaitlistService(
      database,
      audit,
      outbox,
      new SlotRecovery(database, audit, scheduling, outbox, {
        clock: grantClock,
        publicUrl: config.publicUrl,
      }),
      { clock: grantClock, publicUrl: config.publicUrl },
    ),
    // Issue 13 (h13r): pre-registration before a visit; the scheduling module's clock.
    preRegistration: new PreRegistrationService(
      database,
      audit,
      cipher,
      patients,
      new PatientCoverageService(database, audit, cipher),
      grantClock,
    ),
    // Issue 9: questionnaire answers, read on the 360 page.
    questionnaires: new QuestionnaireReader(database, audit, cipher),
    // Issue 13: portal email verification.
    emailVerification,
    // Issue 11 (h11r): "R" to a reminder offers open slots.
    rescheduleOffers,
    // Issue 11 (h11l): patient lists.
    lists,
    // Issue 11 (h11v): the post-visit survey; the scheduling module's clock.
    surveys: new SurveyService(
      database,
      audit,
      cipher,
      surveyLinks,
      jobs,
      webhooks.events,
      grantClock,
    ),
  };
}
