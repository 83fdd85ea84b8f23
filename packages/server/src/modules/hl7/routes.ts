import { type Hl7MessageSummary, routes } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';
import { restrictedDetail, restrictedSummary } from './log/message-view.js';

/**
 * The message log, guarded like every reader of patient detail (docs/adr/0012, "The HL7 message
 * log"): a message about a restricted patient the caller may not open keeps its place, type,
 * status and error, and loses its patient and its values.
 */
export default async function hl7Routes(app: App, { hl7, restrictions }: Services): Promise<void> {
  defineRoute(app, routes.hl7.list, async (request) => {
    const ctx = contextOf(request);
    const page = await hl7.list(ctx, request.query);
    const hidden = await restrictions.hiddenAmong(
      ctx.actor,
      page.items.flatMap((m) => (m.patientId ? [m.patientId] : [])),
    );
    if (hidden.size === 0) return page;
    const masked = (m: Hl7MessageSummary) =>
      m.patientId && hidden.has(m.patientId) ? restrictedSummary(m) : m;
    return { ...page, items: page.items.map(masked) };
  });

  defineRoute(app, routes.hl7.get, async (request) => {
    const ctx = contextOf(request);
    const detail = await hl7.get(ctx, request.params.id);
    const hidden = await restrictions.hiddenAmong(ctx.actor, await hl7.patientsOf(ctx, detail));
    return hidden.size === 0 ? detail : restrictedDetail(detail);
  });

  defineRoute(app, routes.hl7.replay, async (request) => {
    const ctx = contextOf(request);
    const result = await hl7.replay(ctx, request.params.id);
    const { patientId } = result.message;
    const hidden = patientId ? await restrictions.hiddenAmong(ctx.actor, [patientId]) : null;
    return hidden?.size ? { ...result, message: restrictedSummary(result.message) } : result;
  });
}
