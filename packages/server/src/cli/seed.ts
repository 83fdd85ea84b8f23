import { DEMO_ORGANIZATION } from '../seed/reference/staff.js';
import { seedOrganization } from '../seed/seed.js';
import { loadFieldCipher, openDatabase } from '../server.js';
import { type Command, integerOption, stringOption } from './command.js';
import { formatCount, UsageError } from './output.js';
import { progress } from './progress.js';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export const seedCommand: Command = {
  name: 'seed',
  summary: 'Generate realistic demo patients with three years of history',
  help: `careloop seed [--patients N] [--org NAME] [--seed S] [--as-of YYYY-MM-DD]

  Generates patients with demographics, contacts, consents, coverage, care team, conditions,
  appointments, encounters and touchpoints, and inserts them in batches. Creates the
  organization (with clinics, clinicians and services) when it does not exist; "Demo Health"
  also gets the demo sign-ins. Running it again adds more patients.

  --patients N        how many patients (default 2000)
  --org NAME          organization (default "${DEMO_ORGANIZATION}")
  --seed S            random seed: the same seed, organization and --as-of give the same data
                      (default 1)
  --as-of DATE        the day history runs up to (default today, UTC)
  --batch-size N      patients per transaction (default 500 embedded, 1000 PostgreSQL)`,
  options: {
    patients: { type: 'string' },
    org: { type: 'string' },
    seed: { type: 'string' },
    'as-of': { type: 'string' },
    'batch-size': { type: 'string' },
  },
  async run({ values, config, out, io }) {
    const patients = integerOption(values, 'patients', 2000, { min: 0, max: 50_000_000 });
    const organization = stringOption(values, 'org')?.trim() || DEMO_ORGANIZATION;
    const seed = integerOption(values, 'seed', 1, { min: 0, max: 2 ** 32 - 1 });
    const asOf = stringOption(values, 'as-of');
    if (asOf !== undefined && (!ISO_DATE.test(asOf) || Number.isNaN(Date.parse(asOf)))) {
      throw new UsageError(`--as-of must be a date as YYYY-MM-DD, got "${asOf}"`);
    }
    const batchSize =
      values['batch-size'] === undefined
        ? undefined
        : integerOption(values, 'batch-size', 500, { min: 1, max: 20_000 });

    const database = await openDatabase(config, io.env);
    const bar = progress(io.stderr, 'Seeding', 'patients', { json: out.json });
    try {
      await database.migrate();
      const report = await seedOrganization(database, {
        cipher: await loadFieldCipher(config, database),
        organization,
        patients,
        seed,
        asOf,
        batchSize,
        onProgress: bar.update,
      });
      bar.stop();
      const perSecond = Math.round(report.patients / Math.max(report.seconds, 0.001));
      out.result(
        {
          organization: {
            id: report.orgId,
            name: report.organization,
            created: report.createdOrganization,
          },
          patients: report.patients,
          firstIndex: report.firstIndex,
          rows: report.rows,
          demo: report.demo,
          seconds: Number(report.seconds.toFixed(2)),
          patientsPerSecond: perSecond,
        },
        () =>
          [
            `Seeded ${formatCount(report.patients)} patients into ${report.organization}${report.createdOrganization ? ' (created)' : ''} in ${report.seconds.toFixed(1)} s (${formatCount(perSecond)} patients/s).`,
            ...Object.entries(report.rows).map(
              ([table, n]) => `  ${table.padEnd(14)}${formatCount(n).padStart(12)}`,
            ),
            ...(report.demo
              ? [
                  `  Demo inbox: ${report.demo.inbox.conversations} conversations, ${report.demo.inbox.entries} messages and notes; waitlist: ${report.demo.waitlist.entries} entries, ${report.demo.waitlist.offers} past offers (${report.demo.seconds.toFixed(2)} s).`,
                ]
              : []),
          ].join('\n'),
      );
    } finally {
      bar.stop();
      await database.close();
    }
    return undefined;
  },
};
