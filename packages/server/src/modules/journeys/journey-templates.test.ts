import type { DeadLetter } from '@careloop/core';
import { and, eq } from 'drizzle-orm';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/databases.js';
import { outboundMessages } from '../messaging/schema.js';
import { messageTemplates, messageTemplateVersions } from '../templates/schema.js';
import { touchpoints } from '../timeline/schema.js';
import { useJourneyApp } from './test/journey-app.js';

/**
 * Issue 11 (h11t): a journey sends only templates the organization has. Publishing refuses a
 * send naming one it lacks (422 naming the node's field, as for webhook endpoints); a template
 * gone at send time fails the step (dead letter, timeline), and no generic text goes instead.
 */
describeEachDatabase('journeys and the templates they send', (kind) => {
  const j = useJourneyApp(kind, { setupTimeoutMs: 120_000 });

  /** A manual journey: a task, then a send of `template` on `channel`, then the end. */
  const journey = (key: string, template: string, channel: 'sms' | 'email' | 'preferred') => ({
    key,
    name: 'Check-in after a visit',
    trigger: { kind: 'manual' },
    reentry: 'always',
    entry: 'note',
    nodes: [
      {
        id: 'note',
        type: 'action',
        action: { kind: 'task', title: 'Review the visit', team: 'front-desk' },
        next: 'check-in',
      },
      {
        id: 'check-in',
        type: 'action',
        action: {
          kind: 'send',
          channel,
          template,
          purpose: 'treatment',
          validFor: { kind: 'duration', minutes: 60 },
        },
        next: 'done',
      },
      { id: 'done', type: 'exit' },
    ],
  });

  it('refuses to publish a send of a template the organization lacks, naming the node; publishes once it has it', async () => {
    const admin = await j.tenant.signIn('admin');
    const draft = await admin.post('/api/journeys', {
      definition: journey('check-in', 'visit-check-in', 'sms'),
    });
    expect(draft.statusCode, draft.body).toBe(200);
    const { id } = draft.json<{ id: string }>();
    const missing = await admin.post(`/api/journeys/${id}/publish`);
    expect(missing.statusCode, missing.body).toBe(422);
    expect(missing.json<{ path: string }>().path).toBe('/body/definition/nodes/1/action/template');

    // The template with only an email version: an SMS send still cannot go to anyone.
    const created = await admin.post('/api/templates', {
      key: 'visit-check-in',
      name: 'Visit check-in',
      purpose: 'treatment',
    });
    expect(created.statusCode, created.body).toBe(200);
    const templateId = created.json<{ id: string }>().id;
    const email = await admin.request('PUT', `/api/templates/${templateId}/versions/email/en`, {
      subject: 'How are you?',
      text: 'Hi {{patient.firstName}}, how are you doing?',
    });
    expect(email.statusCode, email.body).toBe(200);
    const noSms = await admin.post(`/api/journeys/${id}/publish`);
    expect(noSms.statusCode, noSms.body).toBe(422);
    expect(noSms.json<{ path: string }>().path).toBe('/body/definition/nodes/1/action/template');
    // On the preferred channel, the email version is enough.
    const preferred = await admin.request('PUT', `/api/journeys/${id}/draft`, {
      definition: journey('check-in', 'visit-check-in', 'preferred'),
    });
    expect(preferred.statusCode, preferred.body).toBe(204);
    expect((await admin.post(`/api/journeys/${id}/publish`)).statusCode).toBe(200);

    const sms = await admin.request('PUT', `/api/templates/${templateId}/versions/sms/en`, {
      text: 'Hi {{patient.firstName}}, how are you doing?',
    });
    expect(sms.statusCode, sms.body).toBe(200);
    const back = await admin.request('PUT', `/api/journeys/${id}/draft`, {
      definition: journey('check-in', 'visit-check-in', 'sms'),
    });
    expect(back.statusCode, back.body).toBe(204);
    const published = await admin.post(`/api/journeys/${id}/publish`);
    expect(published.statusCode, published.body).toBe(200);
  });

  it('fails the step of a template gone since publishing: a dead letter and a failed step on the timeline, nothing sent', async () => {
    const admin = await j.tenant.signIn('admin');
    const orgId = j.tenant.orgId;
    // A ready template the organization has (useJourneyApp writes them), so it publishes.
    const draft = await admin.post('/api/journeys', {
      definition: journey('check-in', 'discharge-check-in', 'sms'),
    });
    const { id } = draft.json<{ id: string }>();
    expect((await admin.post(`/api/journeys/${id}/publish`)).statusCode).toBe(200);
    // Then the template goes: no route deletes one (the application's role may not), but an
    // operator or a restore can.
    await j.app.database.system(async (tx) => {
      const [template] = await tx
        .select({ id: messageTemplates.id })
        .from(messageTemplates)
        .where(
          and(eq(messageTemplates.orgId, orgId), eq(messageTemplates.key, 'discharge-check-in')),
        );
      if (!template) throw new Error('no ready template');
      await tx
        .delete(messageTemplateVersions)
        .where(eq(messageTemplateVersions.templateId, template.id));
      await tx.delete(messageTemplates).where(eq(messageTemplates.id, template.id));
    });

    const ana = await j.smsPatient('Ana', 'en');
    const enrolled = await admin.post(`/api/journeys/${id}/enrolments`, { patientId: ana.id });
    expect(enrolled.statusCode, enrolled.body).toBe(200);
    const enrolmentId = enrolled.json<{ id: string }>().id;
    // The worker's first attempt: no retry can write the template, so it fails at once.
    await j.runtime().handleStepJob({ orgId, enrolmentId }, { retryCount: 0, retryLimit: 4 });
    await j.runtime().handleStepJob({ orgId, enrolmentId }, { retryCount: 0, retryLimit: 4 });

    // The step (the task and the send, one transaction) is undone whole: the enrolment waits
    // where the step began, for an admin's retry once the template is back.
    const [enrolment] = await j.enrolments(ana.id);
    expect(enrolment).toMatchObject({
      status: 'failed',
      lastError: 'template_missing',
      currentNode: 'note',
    });
    const letters = await admin.get('/api/journeys/dead-letters');
    expect(letters.statusCode, letters.body).toBe(200);
    expect(letters.json<DeadLetter[]>()).toContainEqual(
      expect.objectContaining({ enrolmentId, node: 'note', error: 'template_missing' }),
    );
    const sent = await j.app.database.withTenant(orgId, (tx) =>
      tx.select().from(outboundMessages).where(eq(outboundMessages.patientId, ana.id)),
    );
    expect(sent).toEqual([]);
    expect(await j.phoneOf(ana)).toEqual([]);
    const failed = await j.app.database.withTenant(orgId, (tx) =>
      tx
        .select()
        .from(touchpoints)
        .where(and(eq(touchpoints.patientId, ana.id), eq(touchpoints.type, 'journey.step-failed'))),
    );
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      outcome: 'template_missing',
      subjectId: enrolmentId,
      nonClinicalSummary:
        'A journey step failed: the organization has no template “discharge-check-in”; the step sent nothing',
    });
  });
});
