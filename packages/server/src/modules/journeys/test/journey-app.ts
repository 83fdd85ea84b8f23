import type { SmsGatewayPage } from '@careloop/core';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { DatabaseKind } from '../../../db/client.js';
import { createTestApp, type TestApp, TestTenant } from '../../../test/app.js';
import { TestClock } from '../../../test/clock.js';
import { outboundMessages } from '../../messaging/schema.js';
import { ensureTemplates, READY_TEMPLATES } from '../../templates/service.js';
import type { JourneyRuntime } from '../runtime.js';
import { journeyEnrolments, journeySteps } from '../schema.js';

export interface JourneyApp {
  readonly app: TestApp;
  /** This test's organization, new for each test, with the ready templates written. */
  readonly tenant: TestTenant;
  /** Midday in Boston (17:00Z), so quiet hours never defer a send a test looks for. */
  readonly clock: TestClock;
  runtime(): JourneyRuntime;
  /** Enables a ready journey as an organization does (installed and published). */
  enable(key: string): Promise<string>;
  /** A patient who prefers SMS, on a number of their own (and an email address). */
  smsPatient(givenName: string, language: 'en' | 'es'): Promise<{ id: string; phone: string }>;
  /** The patient's enrolments, oldest first. */
  enrolments(patientId: string): Promise<(typeof journeyEnrolments.$inferSelect)[]>;
  /** Steps every active enrolment of the patient until none moves (a worker's wakes, at once). */
  settle(patientId: string): Promise<void>;
  /** `node:outcome` of every step the patient's enrolments took, sorted. */
  stepsOf(patientId: string): Promise<string[]>;
  /** Delivers the patient's queued messages, then reads what their phone received. */
  phoneOf(who: { id: string; phone: string }): Promise<string[]>;
}

/**
 * The set-up of a journey integration test: an app on a test clock with its job runner, a new
 * organization with the ready templates for each test, and the helpers that drive enrolments and
 * read the local SMS gateway. Call it at the top of a `describeEachDatabase` body.
 */
export function useJourneyApp(
  kind: DatabaseKind,
  options: {
    /** Break-glass grants on the test clock too (createTestApp's `grantClock`). */
    grantsOnTestClock?: boolean;
    setupTimeoutMs?: number;
    /** Configuration for the app (read when it starts: an SMTP sink's address). */
    env?: () => Record<string, string>;
  } = {},
): JourneyApp {
  const clock = new TestClock('2026-12-01T17:00:00Z');
  let app: TestApp | undefined;
  let tenant: TestTenant | undefined;
  let phoneSeq = 0;

  beforeAll(async () => {
    app = await createTestApp(
      kind,
      options.env?.() ?? {},
      { clock },
      options.grantsOnTestClock ? () => clock.now() : undefined,
    );
    await app.services.jobs.start();
  }, options.setupTimeoutMs ?? 400_000);

  // Each test its own organization (sessions expire as the clock moves).
  beforeEach(async () => {
    const t = await TestTenant.create(need(app, 'app'));
    await need(app, 'app').database.withTenant(t.orgId, (tx) =>
      ensureTemplates(tx, t.orgId, READY_TEMPLATES, clock.now()),
    );
    tenant = t;
  });

  afterAll(async () => {
    await app?.close();
  });

  const fixture: JourneyApp = {
    get app() {
      return need(app, 'app');
    },
    get tenant() {
      return need(tenant, 'tenant');
    },
    clock,
    runtime: () => fixture.app.services.journeys.runtime,
    enable: (key) =>
      fixture.app.services.journeys.enableReady({ orgId: fixture.tenant.orgId, userId: null }, key),
    smsPatient: async (givenName, language) => {
      phoneSeq += 1;
      // A number of its own across tests and databases sharing the gateway's log.
      const phone = `+1617555${String(2000 + phoneSeq + Math.floor(Math.random() * 7000))}`;
      const { id } = await fixture.tenant.createPatient({
        givenName,
        preferredLanguage: language,
        preferredChannel: 'sms',
        contactPoints: [
          { system: 'phone', value: phone, use: 'mobile' },
          { system: 'email', value: `${givenName.toLowerCase()}${phoneSeq}@example.org` },
        ],
      });
      return { id, phone };
    },
    enrolments: (patientId) =>
      fixture.app.database.system((tx) =>
        tx
          .select()
          .from(journeyEnrolments)
          .where(eq(journeyEnrolments.patientId, patientId))
          .orderBy(journeyEnrolments.createdAt),
      ),
    settle: async (patientId) => {
      for (let round = 0; round < 10; round++) {
        let moved = false;
        for (const e of await fixture.enrolments(patientId)) {
          if (e.status !== 'active') continue;
          const step = await fixture.runtime().runStep(fixture.tenant.orgId, e.id);
          if (step === 'advanced') moved = true;
        }
        if (!moved) return;
      }
    },
    stepsOf: async (patientId) => {
      const rows = await fixture.app.database.system((tx) =>
        tx
          .select({ nodeId: journeySteps.nodeId, outcome: journeySteps.outcome })
          .from(journeySteps)
          .innerJoin(journeyEnrolments, eq(journeyEnrolments.id, journeySteps.enrolmentId))
          .where(eq(journeyEnrolments.patientId, patientId)),
      );
      // Nodes one step enters share its instant: sorted, not in the order they ran.
      return rows.map((r) => `${r.nodeId}:${r.outcome}`).sort();
    },
    phoneOf: async (who) => {
      const queued = await fixture.app.database.system((tx) =>
        tx
          .select({ id: outboundMessages.id })
          .from(outboundMessages)
          .where(eq(outboundMessages.patientId, who.id)),
      );
      for (const m of queued)
        await fixture.app.services.outbox.deliver({
          orgId: fixture.tenant.orgId,
          messageId: m.id,
        });
      const admin = await fixture.tenant.signIn('admin');
      const res = await admin.get(
        `/api/sms-gateway/messages?number=${encodeURIComponent(who.phone)}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      return res
        .json<SmsGatewayPage>()
        .items.filter((m) => m.direction === 'outbound')
        .map((m) => m.body);
    },
  };
  return fixture;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the journey test's ${what} is not set up yet`);
  return value;
}
