import { openDatabase } from '../server.js';
import type { Command } from './command.js';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply database migrations',
  help: `careloop migrate

  Applies pending migrations to the database (DATABASE_OWNER_URL, else DATABASE_URL, else the
  embedded database in CARELOOP_DATA_DIR). Safe to run from several nodes at once.`,
  options: {},
  async run({ config, out, io }) {
    const database = await openDatabase(config, io.env);
    try {
      await database.migrate();
    } finally {
      await database.close();
    }
    const where =
      database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL';
    out.result({ database: database.kind }, () => `Migrations applied (${where}).`);
    return undefined;
  },
};
