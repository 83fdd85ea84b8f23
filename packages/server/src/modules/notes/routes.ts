import { IdParams, Note, NoteCreate, NoteUpdate } from '@careloop/core';
import { contextOf } from '../../http/actor.js';
import type { App } from '../../http/types.js';
import type { Services } from '../../services.js';

const problem = { $ref: 'Problem#' } as const;
const errors = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem };

export default async function noteRoutes(
  app: App,
  { notes, restrictions }: Services,
): Promise<void> {
  app.post(
    '/api/patients/:id/notes',
    {
      config: { policy: { permission: 'note:write' } },
      schema: {
        tags: ['notes'],
        summary: 'Add a care-team note to a patient (stored encrypted)',
        params: IdParams,
        body: NoteCreate,
        response: { 200: Note, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guard(ctx, [request.params.id], 'note');
      return notes.create(ctx, request.params.id, request.body);
    },
  );

  app.patch(
    '/api/notes/:id',
    {
      config: { policy: { permission: 'note:write' } },
      schema: {
        tags: ['notes'],
        summary: 'Change a note; only its author or an admin may',
        params: IdParams,
        body: NoteUpdate,
        response: { 200: Note, ...errors },
      },
    },
    async (request) => {
      const ctx = contextOf(request);
      await restrictions.guardRecord(ctx, 'note', request.params.id);
      return notes.update(ctx, request.params.id, request.body);
    },
  );
}
