import type { TouchpointChannel } from '@careloop/core';
import { referralClosed, referralIsNews } from '@careloop/core';
import type {
  CodeableConcept,
  QuestionnaireResponseItem,
  QuestionnaireResponseItemAnswer,
  Reference,
} from '@medplum/fhirtypes';
import { eq } from 'drizzle-orm';
import { serviceRequests } from '../../clinical/schema.js';
import { NotMapped } from '../outcome.js';
import { codeOf, firstLabel, instantOf, labelOf, quantityText } from '../values.js';
import { type MapContext, mapperFor, quietly, target, upsert } from './context.js';

/** Referrals, messages and questionnaires: how a patient and their care team reach each other. */

async function patientAmong(ctx: MapContext, refs: { ref: Reference | undefined; path: string }[]) {
  for (const { ref, path } of refs) {
    if (ctx.referenceType(ref) === 'Patient') return ctx.patient(ref, path);
  }
  return null;
}

export const mapServiceRequest = mapperFor('ServiceRequest', async (request, ctx) => {
  if (ctx.referenceType(request.subject) !== 'Patient') {
    throw new NotMapped('The request is not about a patient', 'subject');
  }
  const patient = await ctx.patient(request.subject, 'subject');
  const encounter = await ctx.link(request.encounter, 'encounter', ['Encounter']);
  const requesterType = ctx.referenceType(request.requester);
  const requester =
    requesterType === 'Practitioner' || requesterType === 'PractitionerRole'
      ? await ctx.link(request.requester, 'requester', ['Practitioner', 'PractitionerRole'])
      : null;
  const performer = request.performer?.[0];
  const performerResource = ctx.resourceOf(performer);
  const performerName =
    performer?.display ??
    (performerResource?.resourceType === 'Organization' ? performerResource.name : undefined) ??
    null;
  const code = codeOf(request.code);
  const id = target(ctx, 'service-request');
  const authoredAt = instantOf(request.authoredOn);
  // Issue 11 (h11j): a new referral still current starts journeys (referral.created), once.
  const concepts = [...(request.category ?? []), ...(request.code ? [request.code] : [])];
  const news = referralIsNews(
    {
      codes: concepts.flatMap((c) => (c.coding ?? []).map((x) => x.code ?? '')),
      labels: concepts.flatMap((c) => [
        c.text ?? '',
        ...(c.coding ?? []).map((x) => x.display ?? ''),
      ]),
      status: request.status,
      authoredAt,
    },
    id.created,
    ctx.asOf,
  );
  const mapped = quietly(
    { recordType: 'service-request', recordId: id.id, patientId: patient.recordId },
    id.created,
    [
      upsert('serviceRequests', id, {
        orgId: ctx.orgId,
        patientId: patient.recordId,
        encounterId: encounter?.recordId ?? null,
        status: request.status,
        intent: request.intent,
        priority: request.priority ?? null,
        category: firstLabel(request.category),
        codeSystem: code?.system ?? null,
        code: code?.code ?? null,
        display: code?.display ?? firstLabel(request.category) ?? 'Service request',
        requesterId: requester?.recordId ?? null,
        performerName,
        authoredAt,
        occurrenceAt:
          instantOf(request.occurrenceDateTime) ?? instantOf(request.occurrencePeriod?.start),
        updatedAt: new Date(),
      }),
    ],
  );
  // Issue 11 (h11r): one revoked, entered in error or completed ends what it started (ADR 0045).
  const before = id.created ? null : await serviceRequestStatus(ctx, id.id);
  const closed = referralClosed(before, request.status) ? request.status : null;
  return {
    ...mapped,
    ...(news ? { referral: { orgId: ctx.orgId, serviceRequestId: id.id } } : {}),
    ...(closed
      ? { referralClosed: { orgId: ctx.orgId, serviceRequestId: id.id, status: closed } }
      : {}),
  };
});

async function serviceRequestStatus(ctx: MapContext, id: string): Promise<string | null> {
  const [row] = await ctx.tx
    .select({ status: serviceRequests.status })
    .from(serviceRequests)
    .where(eq(serviceRequests.id, id));
  return row?.status ?? null;
}

/** v3 ParticipationMode codes (and plain words) to the channel a touchpoint names. */
const MEDIUM_CHANNELS: [RegExp, TouchpointChannel][] = [
  [/^EMAILWRIT$|e-?mail/i, 'email'],
  [/^SMSWRIT$|\bsms\b|text message/i, 'sms'],
  [/^VIDEOCONF$|video|telehealth/i, 'telehealth'],
  [/^(PHONE|VERBAL)$|phone|telephone/i, 'phone'],
  [/^(MAILWRIT|WRITTEN|FAXWRIT|HANDWRIT|TYPEWRIT)$|letter|mail/i, 'mail'],
  [/^(ELECTRONIC|ONLINE)$|portal|online/i, 'portal'],
  [/^FACE$|in person|face/i, 'in-person'],
];

function channelOf(media: CodeableConcept[] | undefined): TouchpointChannel {
  const words = (media ?? []).flatMap((m) => [
    ...(m.coding ?? []).flatMap((c) => [c.code ?? '', c.display ?? '']),
    m.text ?? '',
  ]);
  for (const [pattern, channel] of MEDIUM_CHANNELS) {
    if (words.some((w) => w && pattern.test(w))) return channel;
  }
  return 'system';
}

export const mapCommunication = mapperFor('Communication', async (message, ctx) => {
  const fromPatient = ctx.referenceType(message.sender) === 'Patient';
  const patient = await patientAmong(ctx, [
    { ref: message.subject, path: 'subject' },
    ...(message.recipient ?? []).map((ref, i) => ({ ref, path: `recipient[${i}]` })),
    { ref: message.sender, path: 'sender' },
  ]);
  if (!patient) throw new NotMapped('The message involves no patient', 'subject');
  const encounter = await ctx.link(message.encounter, 'encounter', ['Encounter']);
  const channel = channelOf(message.medium);
  const direction = fromPatient ? 'inbound' : 'outbound';
  const sentAt = instantOf(message.sent);
  const category = firstLabel(message.category);
  const id = target(ctx, 'communication');
  const write = upsert('communications', id, {
    orgId: ctx.orgId,
    patientId: patient.recordId,
    encounterId: encounter?.recordId ?? null,
    status: message.status,
    channel,
    direction,
    category,
    topic: labelOf(message.topic),
    sentAt,
    receivedAt: instantOf(message.received),
    updatedAt: new Date(),
  });
  const verb = direction === 'inbound' ? 'received' : 'sent';
  const summary = `${category ?? 'Message'} ${verb}${channel === 'system' ? '' : ` by ${channel}`}`;
  return {
    record: { recordType: 'communication', recordId: id.id, patientId: patient.recordId },
    created: id.created,
    writes: [write],
    touchpoints: id.created
      ? [
          {
            orgId: ctx.orgId,
            patientId: patient.recordId,
            occurredAt: sentAt ?? instantOf(message.received) ?? new Date(),
            channel,
            direction,
            type: `communication.${verb}`,
            stage: 'follow-up',
            sourceSystem: 'fhir',
            outcome: message.status,
            // The category only (a kind of message, "Appointment reminder"): the body is the
            // patient's or the sender's own words, and the topic may be clinical.
            summary,
            nonClinicalSummary: summary,
            subjectType: 'communication',
            subjectId: id.id,
          },
        ]
      : [],
  };
});

function answerText(a: QuestionnaireResponseItemAnswer): string {
  if (a.valueString !== undefined) return a.valueString;
  if (a.valueCoding) return a.valueCoding.display ?? a.valueCoding.code ?? '';
  if (a.valueBoolean !== undefined) return a.valueBoolean ? 'yes' : 'no';
  if (a.valueInteger !== undefined) return String(a.valueInteger);
  if (a.valueDecimal !== undefined) return String(a.valueDecimal);
  if (a.valueDate) return a.valueDate;
  if (a.valueDateTime) return a.valueDateTime;
  if (a.valueTime) return a.valueTime;
  if (a.valueQuantity) return quantityText(a.valueQuantity) ?? '';
  if (a.valueUri) return a.valueUri;
  if (a.valueReference) return a.valueReference.display ?? a.valueReference.reference ?? '';
  return '';
}

const MAX_ANSWERS = 500;

/** Every answered item, depth first, flattened to { linkId, text, answer }. */
function flattenAnswers(
  items: QuestionnaireResponseItem[] | undefined,
  out: { linkId: string; text: string | null; answer: string }[] = [],
) {
  for (const item of items ?? []) {
    for (const answer of item.answer ?? []) {
      if (out.length >= MAX_ANSWERS) return out;
      out.push({ linkId: item.linkId, text: item.text ?? null, answer: answerText(answer) });
      flattenAnswers(answer.item, out);
    }
    flattenAnswers(item.item, out);
  }
  return out;
}

export const mapQuestionnaireResponse = mapperFor('QuestionnaireResponse', async (qr, ctx) => {
  const patient = await patientAmong(ctx, [
    { ref: qr.subject, path: 'subject' },
    { ref: qr.source, path: 'source' },
  ]);
  if (!patient) throw new NotMapped('The response is not about a patient', 'subject');
  const encounter = await ctx.link(qr.encounter, 'encounter', ['Encounter']);
  const answers = flattenAnswers(qr.item);
  const authoredAt = instantOf(qr.authored);
  const id = target(ctx, 'questionnaire-response');
  const write = upsert('questionnaireResponses', id, {
    orgId: ctx.orgId,
    patientId: patient.recordId,
    encounterId: encounter?.recordId ?? null,
    questionnaire: qr.questionnaire ?? null,
    status: qr.status,
    authoredAt,
    answers,
    itemCount: answers.length,
    updatedAt: new Date(),
  });
  const completed = qr.status === 'completed';
  return {
    record: { recordType: 'questionnaire-response', recordId: id.id, patientId: patient.recordId },
    created: id.created,
    writes: [write],
    touchpoints:
      id.created && completed
        ? [
            {
              orgId: ctx.orgId,
              patientId: patient.recordId,
              occurredAt: authoredAt ?? new Date(),
              channel: 'web',
              direction: 'inbound',
              type: 'questionnaire.completed',
              stage: 'post-visit',
              sourceSystem: 'fhir',
              outcome: qr.status,
              summary: `Questionnaire completed (${answers.length} answers)`,
              nonClinicalSummary: `Questionnaire completed (${answers.length} answers)`,
              subjectType: 'questionnaire-response',
              subjectId: id.id,
            },
          ]
        : [],
  };
});
