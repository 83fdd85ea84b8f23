import type {
  Encounter as EncounterSchema,
  NoteUpdate as NoteUpdateSchema,
  UserCreated as UserCreatedSchema,
} from '@careloop/core';
import type { Static } from 'typebox';

// Core exports these schemas without a matching type alias; derive the types here.
export type Encounter = Static<typeof EncounterSchema>;
export type NoteUpdate = Static<typeof NoteUpdateSchema>;
export type UserCreated = Static<typeof UserCreatedSchema>;
