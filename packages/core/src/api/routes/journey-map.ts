import { Type } from 'typebox';
import {
  DrillDownQuery,
  DrillDownResult,
  DrillDownTasks,
  JourneyMap,
  JourneyMapQuery,
  JourneyMapSettings,
  PatientJourney,
  PatientListCreate,
  PatientListSummary,
} from '../../journey-map/api.js';
import { IdParams } from '../common.js';
import { route } from '../contract.js';

const read = { permission: 'journey-map:read' } as const;
const drillDown = { permission: 'journey-map:drill-down' } as const;
const tags = ['journey-map'] as const;

/** The journey map: settings, the cohort's map, drill-down and its actions, one patient's journey. */
export const journeyMapRoutes = {
  settings: route({
    method: 'GET',
    path: '/api/journey-map/settings',
    policy: read,
    tags,
    summary: 'Stages, the mapping of touchpoints to stages, journey definitions, threshold',
    reply: JourneyMapSettings,
  }),
  saveSettings: route({
    method: 'PUT',
    path: '/api/journey-map/settings',
    policy: { permission: 'journey-map:configure' },
    tags,
    summary: 'Replace the stage taxonomy, mapping, definitions and small-cell threshold',
    body: JourneyMapSettings,
    reply: JourneyMapSettings,
  }),
  map: route({
    method: 'GET',
    path: '/api/journey-map',
    policy: read,
    tags,
    summary: 'The journey map of a cohort: Sankey, funnel, waits, channel mix, pain points',
    query: JourneyMapQuery,
    reply: JourneyMap,
  }),
  drillDown: route({
    method: 'GET',
    path: '/api/journey-map/drill-down',
    policy: drillDown,
    tags,
    summary: 'The patients behind a pain point (audited)',
    query: DrillDownQuery,
    reply: DrillDownResult,
  }),
  createList: route({
    method: 'POST',
    path: '/api/journey-map/lists',
    policy: drillDown,
    tags,
    summary: 'Save patients from a drill-down as a static list',
    body: PatientListCreate,
    reply: PatientListSummary,
  }),
  createTasks: route({
    method: 'POST',
    path: '/api/journey-map/tasks',
    policy: { permission: 'task:write' },
    tags,
    summary: 'A task for each patient of a drill-down (restricted ones are skipped)',
    body: DrillDownTasks,
    reply: Type.Object({ created: Type.Integer(), skipped: Type.Integer() }),
  }),
  patientJourney: route({
    method: 'GET',
    path: '/api/patients/:id/journey',
    policy: { permission: 'patient:read' },
    tags,
    summary: "The patient's journey: touchpoints by stage, waits, standing per definition",
    params: IdParams,
    reply: PatientJourney,
  }),
};
