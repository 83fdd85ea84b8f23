import { Type } from 'typebox';
import { ROLES } from '../auth/roles.js';
import { CHANNELS, PURPOSES } from '../consent/consent.js';
import { TEAMS } from '../tasks/teams.js';

/** A closed set of strings as a JSON-schema `enum`, typed as the union of its members. */
const literals = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

export const ADMINISTRATIVE_SEXES = ['male', 'female', 'other', 'unknown'] as const;
export const APPOINTMENT_STATUSES = [
  'proposed',
  'booked',
  'arrived',
  'fulfilled',
  'cancelled',
  'noshow',
] as const;
export const TASK_STATUSES = ['open', 'in-progress', 'done', 'cancelled'] as const;
export const TASK_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const TOUCHPOINT_CHANNELS = [
  'email',
  'sms',
  'phone',
  'portal',
  'mail',
  'in-person',
  'telehealth',
  'web',
  'system',
] as const;
export const DIRECTIONS = ['inbound', 'outbound', 'internal'] as const;
/** Stages of the patient journey, in the order a patient usually meets them. */
export const JOURNEY_STAGES = [
  'awareness',
  'scheduling',
  'pre-visit',
  'visit',
  'post-visit',
  'follow-up',
  'billing',
] as const;
export const ENCOUNTER_CLASSES = [
  'ambulatory',
  'emergency',
  'inpatient',
  'virtual',
  'home',
] as const;

export type AdministrativeSex = (typeof ADMINISTRATIVE_SEXES)[number];
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];
export type TaskStatus = (typeof TASK_STATUSES)[number];
export type TaskPriority = (typeof TASK_PRIORITIES)[number];
export type TouchpointChannel = (typeof TOUCHPOINT_CHANNELS)[number];
export type Direction = (typeof DIRECTIONS)[number];
export type JourneyStage = (typeof JOURNEY_STAGES)[number];
export type EncounterClass = (typeof ENCOUNTER_CLASSES)[number];

export const RoleSchema = literals(ROLES);
export const ChannelSchema = literals(CHANNELS);
export const PurposeSchema = literals(PURPOSES);
export const SexSchema = literals(ADMINISTRATIVE_SEXES);
export const AppointmentStatusSchema = literals(APPOINTMENT_STATUSES);
export const TaskStatusSchema = literals(TASK_STATUSES);
export const TaskPrioritySchema = literals(TASK_PRIORITIES);
export const TeamSchema = literals(TEAMS);
export const TouchpointChannelSchema = literals(TOUCHPOINT_CHANNELS);
export const DirectionSchema = literals(DIRECTIONS);
export const StageSchema = literals(JOURNEY_STAGES);
export const EncounterClassSchema = literals(ENCOUNTER_CLASSES);
