import { CareloopError, routes } from '@careloop/core';
import type { FastifyReply } from 'fastify';
import { contextOf, type RequestContext } from '../../http/actor.js';
import { defineRoute } from '../../http/route.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

/** Two attachments of 5 MB in base64 (about 6.7 MB each) and the message: under 15 MB. */
const PORTAL_MESSAGE_BODY_LIMIT = 15 * 1024 * 1024;

function sendFile(
  reply: FastifyReply,
  file: { fileName: string; contentType: string; bytes: Buffer },
): FastifyReply {
  return (
    reply
      .header('content-type', file.contentType)
      // The name was made safe when stored (core's safeAttachmentName): no quotes, no paths.
      .header('content-disposition', `attachment; filename="${file.fileName}"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'no-store')
      .send(file.bytes)
  );
}

const ownPatientId = (ctx: RequestContext): string => {
  if (!ctx.actor.patientId)
    throw new CareloopError('forbidden', 'This account is not linked to a patient record');
  return ctx.actor.patientId;
};

/** The shared inbox, call tasks, and the portal's secure messaging (issue 11, docs/inbox.md). */
export default async function inboxRoutes(
  app: App,
  { inbox, portalMessaging, calls, restrictions }: Services,
): Promise<void> {
  defineRoute(app, routes.inbox.list, (request) => inbox.list(contextOf(request), request.query));
  defineRoute(app, routes.inbox.get, (request) => inbox.get(contextOf(request), request.params.id));
  defineRoute(app, routes.inbox.update, (request) =>
    inbox.update(contextOf(request), request.params.id, request.body),
  );
  defineRoute(app, routes.inbox.note, (request) =>
    inbox.addNote(contextOf(request), request.params.id, request.body),
  );
  defineRoute(app, routes.inbox.reply, (request) =>
    inbox.reply(contextOf(request), request.params.id, request.body),
  );
  defineRoute(app, routes.inbox.attachment, async (request, reply) =>
    sendFile(reply, await inbox.attachment(contextOf(request), request.params.id)),
  );
  defineRoute(app, routes.inbox.quickReplies, (request) => inbox.quickReplies(contextOf(request)));

  defineRoute(app, routes.inbox.createCall, async (request, reply) => {
    const ctx = contextOf(request);
    await restrictions.guard(ctx, [request.body.patientId], 'task');
    return reply.status(201).send(await calls.create(ctx, request.body));
  });
  defineRoute(app, routes.inbox.getCall, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guardRecord(ctx, 'task', request.params.id);
    return calls.get(ctx, request.params.id);
  });
  defineRoute(app, routes.inbox.recordCall, async (request) => {
    const ctx = contextOf(request);
    await restrictions.guardRecord(ctx, 'task', request.params.id);
    return calls.record(ctx, request.params.id, request.body);
  });

  defineRoute(app, routes.portalMessaging.threads, (request) => {
    const ctx = contextOf(request);
    return portalMessaging.threads(ctx, ownPatientId(ctx));
  });
  defineRoute(
    app,
    routes.portalMessaging.start,
    async (request, reply) => {
      const ctx = contextOf(request);
      return reply
        .status(201)
        .send(await portalMessaging.start(ctx, ownPatientId(ctx), request.body));
    },
    { bodyLimit: PORTAL_MESSAGE_BODY_LIMIT },
  );
  defineRoute(app, routes.portalMessaging.thread, (request) => {
    const ctx = contextOf(request);
    return portalMessaging.thread(ctx, ownPatientId(ctx), request.params.id);
  });
  defineRoute(
    app,
    routes.portalMessaging.send,
    (request) => {
      const ctx = contextOf(request);
      return portalMessaging.send(ctx, ownPatientId(ctx), request.params.id, request.body);
    },
    { bodyLimit: PORTAL_MESSAGE_BODY_LIMIT },
  );
  defineRoute(app, routes.portalMessaging.attachment, async (request, reply) => {
    const ctx = contextOf(request);
    return sendFile(
      reply,
      await portalMessaging.attachment(
        ctx,
        ownPatientId(ctx),
        request.params.id,
        request.params.attachmentId,
      ),
    );
  });
}
