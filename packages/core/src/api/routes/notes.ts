import { IdParams } from '../common.js';
import { route } from '../contract.js';
import { Note, NoteCreate, NoteUpdate } from '../patients.js';

export const noteRoutes = {
  create: route({
    method: 'POST',
    path: '/api/patients/:id/notes',
    policy: { permission: 'note:write' },
    tags: ['notes'],
    summary: 'Add a care-team note to a patient (stored encrypted)',
    params: IdParams,
    body: NoteCreate,
    reply: Note,
  }),
  update: route({
    method: 'PATCH',
    path: '/api/notes/:id',
    policy: { permission: 'note:write' },
    tags: ['notes'],
    summary: 'Change a note; only its author or an admin may',
    params: IdParams,
    body: NoteUpdate,
    reply: Note,
  }),
};
