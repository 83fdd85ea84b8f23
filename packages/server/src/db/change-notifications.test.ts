import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, TestTenant } from '../test/app.js';
import { testDatabaseKinds } from '../test/databases.js';

const onPostgres = testDatabaseKinds().includes('postgres') ? describe : describe.skip;

/**
 * The payloads the change-notification triggers (migrations 0008, 0009) send on commit, per
 * operation and kind of table, as the caches of docs/adr/0005 read them.
 */
onPostgres('change notifications [postgres]', () => {
  let t: TestApp;
  let a: TestTenant;
  let patientId: string;
  let owner: pg.Client;
  let listener: pg.Client;
  let heard: string[] = [];

  const connect = async () => {
    const url = new URL(process.env.DATABASE_URL_TEST ?? '');
    const pool = t.database.pool;
    if (!pool) throw new Error('not PostgreSQL');
    url.pathname = new URL(pool.options.connectionString ?? '').pathname;
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    return client;
  };
  /** What one committed statement (or transaction) made the triggers send, sorted. */
  const sent = async (text: string, values: unknown[] = []) => {
    heard = [];
    await owner.query(text, values);
    // A notification is delivered after the commit; a round trip on the listener flushes it.
    await listener.query('select 1');
    return [...heard].sort();
  };

  beforeAll(async () => {
    t = await createTestApp('postgres');
    a = await TestTenant.create(t);
    patientId = (await a.createPatient({ givenName: 'Noa' })).id;
    owner = await connect();
    listener = await connect();
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query('listen careloop_changes');
  });
  afterAll(async () => {
    await listener?.end();
    await owner?.end();
    await t.close();
  });

  const p = () => `p:${a.orgId}:${patientId}`;

  it('names the patient for an insert, an update and a delete in a patient table', async () => {
    const insert = `insert into touchpoints (org_id, patient_id, channel, direction, type, stage, summary,
        non_clinical_summary)
      values ($1, $2, 'phone', 'outbound', 'call', 'awareness', 'Called', 'Called') returning id`;
    expect(await sent(insert, [a.orgId, patientId])).toEqual([p()]);
    expect(
      await sent(`update touchpoints set summary = 'Called back' where patient_id = $1`, [
        patientId,
      ]),
    ).toEqual([p()]);
    expect(
      await sent(`delete from touchpoints where patient_id = $1 and type = 'call'`, [patientId]),
    ).toEqual([p()]);
  });

  it('names the patient for a change to the patient record itself, once per statement', async () => {
    expect(
      await sent(`update patients set preferred_language = 'es' where id = $1`, [patientId]),
    ).toEqual([p()]);
  });

  it('names the organization for a reference table, and for a statement about over 100 patients', async () => {
    expect(
      await sent(`insert into locations (org_id, name) values ($1, 'Annex')`, [a.orgId]),
    ).toEqual([`o:${a.orgId}`]);
    const copies = `insert into patients (org_id, given_name, family_name, search_name, search_given,
        birth_date, administrative_sex, preferred_language)
      select org_id, given_name, family_name || g, search_name, search_given, birth_date,
        administrative_sex, preferred_language
      from patients, generate_series(1, 101) g where id = $1`;
    expect(await sent(copies, [patientId])).toEqual([`o:${a.orgId}`]);
  });

  it('sends nothing for a rolled-back change, and * for a truncate', async () => {
    expect(
      await sent(
        `begin; update patients set preferred_language = 'fr' where id = '${patientId}'; rollback`,
      ),
    ).toEqual([]);
    expect(await sent('truncate touchpoints')).toEqual(['*']);
  });
});
