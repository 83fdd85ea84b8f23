import { FieldCipher } from '../crypto/field-cipher.js';
import { type ColumnReport, rotateKeys } from '../crypto/rotate.js';
import { loadFieldCipher, openDatabase } from '../server.js';
import { type Command, integerOption } from './command.js';
import { EXIT, formatCount, UsageError } from './output.js';

const line = (r: ColumnReport) =>
  `  ${`${r.table}.${r.column}`.padEnd(40)} ${formatCount(r.resealed)} re-encrypted, ${formatCount(r.encrypted)} encrypted from plain, ${formatCount(r.skipped)} changed meanwhile, ${formatCount(r.unreadable.length)} unreadable`;

export const keysRotateCommand: Command = {
  name: 'keys rotate',
  summary: 'Re-encrypt every encrypted field under the current key (docs/encryption.md)',
  help: `careloop keys rotate [--batch N] [--new-key]

  Re-encrypts every value sealed under an older key or in the older v1 format, and encrypts
  plain values left from before field encryption, in batches of N rows (default 500), each its
  own short transaction: safe while the application runs, and resumed by running it again.
  Keys come from CARELOOP_ENCRYPTION_KEY (current) and CARELOOP_ENCRYPTION_KEYS (earlier keys),
  or the embedded database's key file. Exits 1 when a value decrypts under no key of the ring
  (listed by row id, left as it is).

  --batch N     rows per transaction (default 500)
  --new-key     embedded database only: first add a new random key at the top of the key file`,
  options: {
    batch: { type: 'string' },
    'new-key': { type: 'boolean' },
  },
  async run({ values, config, out, io }) {
    const batchSize = integerOption(values, 'batch', 500, { min: 1, max: 10_000 });
    const configured = Boolean(config.encryptionKey || config.encryptionKeys);
    if (values['new-key'] && (configured || config.databaseUrl)) {
      throw new UsageError(
        '--new-key changes the embedded key file; with CARELOOP_ENCRYPTION_KEY(S) or DATABASE_URL, put the new key in CARELOOP_ENCRYPTION_KEY and the old one in CARELOOP_ENCRYPTION_KEYS',
      );
    }
    const database = await openDatabase(config, io.env);
    try {
      await database.migrate();
      const added = values['new-key'] ? await FieldCipher.addKeyToDataDir(config.dataDir) : null;
      const cipher = await loadFieldCipher(config, database);
      if (added) out.note(`Added key ${added} to the key file; it is now the current key.`);
      const reports = await rotateKeys(database.ownerDb, cipher, {
        batchSize,
        onProgress: (r) =>
          out.note(`${r.table}.${r.column}: ${formatCount(r.resealed + r.encrypted)} done`),
      });
      const unreadable = reports.reduce((n, r) => n + r.unreadable.length, 0);
      out.result({ currentKey: cipher.currentKid, columns: reports }, () =>
        [
          `Every encrypted field checked; current key ${cipher.currentKid}.`,
          ...reports.map(line),
          ...reports.flatMap((r) => r.unreadable.map((id) => `  unreadable: ${r.table} row ${id}`)),
        ].join('\n'),
      );
      return unreadable === 0 ? EXIT.ok : EXIT.failure;
    } finally {
      await database.close();
    }
  },
};
