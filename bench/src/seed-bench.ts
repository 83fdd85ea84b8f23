import { parseArgs } from 'node:util';
import { FieldCipher } from '../../packages/server/src/crypto/field-cipher.js';
import { seedOrganization } from '../../packages/server/src/seed/seed.js';
import { positiveInteger } from './args.js';
import { benchDatabase } from './databases.js';
import { finish, fmt, rssSampler, say } from './report.js';

/**
 * `bench seed --patients N [--json]`: seeds N patients into a fresh database and reports
 * patients and rows per second and the peak resident memory of this process (the PostgreSQL
 * server's own memory is not counted; PGlite's is, as it runs in-process).
 */
export async function seedBench(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      patients: { type: 'string', default: '10000' },
      json: { type: 'boolean', default: false },
      'batch-size': { type: 'string' },
      concurrency: { type: 'string' },
    },
  });
  const patients = positiveInteger(values.patients, 'patients');
  const bench = await benchDatabase({ fresh: true });
  const database = await bench.open();
  try {
    await database.migrate();
    say(`Seeding ${fmt(patients)} patients into a fresh ${bench.kind} database`);
    const memory = rssSampler();
    let lastLog = performance.now();
    const report = await seedOrganization(database, {
      cipher: FieldCipher.random(),
      patients,
      batchSize: values['batch-size']
        ? positiveInteger(values['batch-size'], 'batch-size')
        : undefined,
      concurrency: values.concurrency
        ? positiveInteger(values.concurrency, 'concurrency')
        : undefined,
      onProgress: (done, total) => {
        if (performance.now() - lastLog < 10_000 && done < total) return;
        lastLog = performance.now();
        say(
          `  ${fmt(done)}/${fmt(total)} patients, rss ${fmt(process.memoryUsage().rss / 1_048_576)} MB`,
        );
      },
    });
    const { peakMb, maxRssMb } = memory.stop();
    const rows = Object.values(report.rows).reduce((a, b) => a + b, 0);
    const result = {
      database: bench.kind,
      patients,
      rows,
      seconds: Number(report.seconds.toFixed(2)),
      patientsPerSecond: Math.round(patients / report.seconds),
      rowsPerSecond: Math.round(rows / report.seconds),
      peakRssMb: Math.round(peakMb),
      maxRssMb: Math.round(maxRssMb),
    };
    finish(values.json, result, [
      `seed on ${bench.kind}: ${fmt(patients)} patients, ${fmt(rows)} rows in ${fmt(report.seconds, 1)} s`,
      `  ${fmt(result.patientsPerSecond)} patients/s, ${fmt(result.rowsPerSecond)} rows/s`,
      `  peak RSS ${fmt(peakMb)} MB (sampled every 250 ms; kernel high-water mark ${fmt(maxRssMb)} MB)`,
    ]);
  } finally {
    await database.close();
    await bench.dispose();
  }
}
