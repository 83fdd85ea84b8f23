import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import {
  type EnrolmentContext,
  type JourneyDefinition,
  type SimulatedPath,
  type SimulatedSubject,
  simulateJourney,
  validateJourney,
} from '@careloop/core';
import { loadConfig } from '../config.js';
import { DEMO_ORGANIZATION } from '../seed/reference/staff.js';
import { loadFieldCipher, openDatabase } from '../server.js';
import { createServices } from '../services.js';
import { integerOption, stringOption } from './command.js';
import { type CliIO, CommandError, EXIT, Output, UsageError } from './output.js';

export const JOURNEY_SUMMARY = 'Validate, publish or dry-run a journey file (JSON)';

export const JOURNEY_HELP = `careloop journey validate|publish|dry-run <file.json>

  validate   checks the file against the journey schema and the graph rules (every node
             reachable, no cycle without a wait, every branch ends, splits sum to 100)
  publish    saves it as the draft of the journey with its key and publishes it as the next
             version (running enrolments finish on theirs)
  dry-run    plays it against synthetic patients on a simulated clock and prints each one's
             path and messages; sends nothing and needs no database

Options:
  --org NAME       publish: the organization (default "${DEMO_ORGANIZATION}")
  --patients N     dry-run: how many synthetic patients (default 4, at most 100)
  --start ISO      dry-run: the simulated clock's start (default: now)
  --json           one JSON object on stdout
Ready journeys ship in packages/server/journeys/.`;

export async function runJourney(argv: readonly string[], io: CliIO): Promise<number> {
  const out = new Output(io, argv.includes('--json'));
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: {
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        org: { type: 'string' },
        patients: { type: 'string' },
        start: { type: 'string' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.help) {
      io.stdout.write(`${JOURNEY_HELP}\n`);
      return EXIT.ok;
    }
    const [action, file, ...extra] = parsed.positionals;
    if (!action || !['validate', 'publish', 'dry-run'].includes(action))
      throw new UsageError('say validate, publish or dry-run');
    if (!file) throw new UsageError(`name the journey file to ${action}`);
    if (extra.length > 0) throw new UsageError(`one file at a time (got ${extra.length + 1})`);
    const journey = await readJourney(file);
    switch (action) {
      case 'validate':
        out.result(
          { key: journey.key, nodes: journey.nodes.length },
          () =>
            `${file}: valid journey "${journey.name}" (${journey.key}), ${journey.nodes.length} nodes.`,
        );
        return EXIT.ok;
      case 'dry-run': {
        const patients = integerOption(parsed.values, 'patients', 4, { min: 1, max: 100 });
        const startText = stringOption(parsed.values, 'start');
        const start = startText ? new Date(startText) : new Date();
        if (Number.isNaN(start.getTime())) throw new UsageError('--start must be an ISO instant');
        const paths = syntheticSubjects(journey, patients, start).map((s) =>
          simulateJourney(journey, s, start),
        );
        out.result({ key: journey.key, start: start.toISOString(), paths }, () =>
          renderPaths(journey, paths),
        );
        return EXIT.ok;
      }
      default: {
        const orgName = stringOption(parsed.values, 'org')?.trim() || DEMO_ORGANIZATION;
        const published = await publish(io, journey, orgName);
        out.result(
          { key: journey.key, organization: orgName, ...published },
          () =>
            `Published "${journey.name}" (${journey.key}) version ${published.version} for ${orgName}.`,
        );
        return EXIT.ok;
      }
    }
  } catch (error) {
    return out.fail(error instanceof TypeError ? new UsageError(error.message) : error);
  }
}

/** A journey file, read and validated; every problem named with its path in the file. */
async function readJourney(file: string): Promise<JourneyDefinition> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new CommandError(`cannot read ${file}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CommandError(
      `${file} is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const result = validateJourney(json);
  if (!result.ok)
    throw new CommandError(
      `${file} is not a valid journey:\n${result.issues.map((i) => `  ${i.path}: ${i.message} (${i.code})`).join('\n')}`,
    );
  return result.journey;
}

async function publish(
  io: CliIO,
  journey: JourneyDefinition,
  orgName: string,
): Promise<{ id: string; version: number }> {
  const config = loadConfig(io.env);
  const database = await openDatabase(config, io.env);
  try {
    await database.migrate();
    const services = createServices(config, database, await loadFieldCipher(config, database));
    const org = await services.directory.findOrganizationByName(orgName);
    if (!org) throw new CommandError(`no organization named "${orgName}"`);
    const editor = { orgId: org.id, userId: null };
    const id = await services.journeys.saveDraft(editor, journey);
    return { id, version: await services.journeys.publish(editor, id) };
  } finally {
    await database.close();
  }
}

const MINUTE = 60_000;

/** The demo's services (seed/schedule.ts), then none: what the synthetic appointments are for. */
const DEMO_SERVICE_NAMES = ['Annual physical', 'New patient visit', 'Video visit', null];

/**
 * Synthetic patients for a dry run, by trigger: for appointment journeys, an appointment 10
 * days out (one 1 day out) and patients who reply C, reply R, say nothing, or cancel.
 */
export function syntheticSubjects(
  journey: JourneyDefinition,
  count: number,
  start: Date,
): SimulatedSubject[] {
  const zones = ['America/New_York', 'America/Los_Angeles', 'Europe/Madrid', 'UTC'];
  return Array.from({ length: count }, (_, i): SimulatedSubject => {
    const daysOut = i % 5 === 4 ? 1 : 10;
    const appointmentStart = new Date(start.getTime() + daysOut * 1440 * MINUTE).toISOString();
    // Issue 11 (h11j): the demo's services in turn (and none: an EHR feed's appointment).
    const service = DEMO_SERVICE_NAMES[i % DEMO_SERVICE_NAMES.length] ?? null;
    const context: EnrolmentContext = {
      attributes: {
        'appointment.status': 'booked',
        'appointment.service': service,
        'appointment.telehealth': service === 'Video visit',
        'patient.language': i % 2 === 0 ? 'en' : 'es',
        'patient.has_email': true,
        'patient.has_phone': true,
      },
      times: {
        'appointment.start': appointmentStart,
        'encounter.discharged_at': start.toISOString(),
      },
      timeZone: zones[i % zones.length] ?? 'UTC',
      seed: `synthetic-${i + 1}`,
    };
    // After the 2-day reminder, when a reply would come.
    const replyAt = (daysOut - 2) * 1440 + 60;
    const aboutAppointment =
      journey.trigger.kind === 'event' && journey.trigger.event.startsWith('appointment.');
    // Booked too late for the 2-day SMS: nobody to reply to.
    const script = !aboutAppointment || (daysOut <= 2 && i % 4 < 2) ? 2 : i % 4;
    const events: SimulatedSubject['events'] =
      script === 0
        ? [
            {
              afterMinutes: replyAt,
              event: 'message.received',
              attributes: { 'message.text': 'C' },
            },
          ]
        : script === 1
          ? [
              {
                afterMinutes: replyAt,
                event: 'message.received',
                attributes: { 'message.text': 'R' },
              },
            ]
          : script === 3
            ? [{ afterMinutes: 3 * 1440, event: 'appointment.cancelled' }]
            : [];
    const label = ['replies C', 'replies R', 'no reply', 'cancels after 3 days'][script] ?? '';
    return {
      label: aboutAppointment
        ? `patient ${i + 1} (${label}, ${context.timeZone}, ${service ?? 'no service'} in ${daysOut} d)`
        : `patient ${i + 1} (${context.timeZone}${i % 2 === 0 ? '' : ', Spanish'})`,
      context,
      events,
    };
  });
}

function renderPaths(journey: JourneyDefinition, paths: SimulatedPath[]): string {
  const lines = [`Dry run of "${journey.name}" (${journey.key}): nothing is sent.`];
  for (const path of paths) {
    lines.push(
      '',
      `${path.label}: ${path.status}${path.converted ? ', converted' : ''}, ${path.sends} sent`,
    );
    for (const line of path.lines) lines.push(`  ${line.at}  ${line.text}`);
  }
  return lines.join('\n');
}
