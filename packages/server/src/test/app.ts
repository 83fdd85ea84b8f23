import { randomBytes } from 'node:crypto';
import type { PatientCreate, Role } from '@careloop/core';
import type { LightMyRequestResponse } from 'fastify';
import { type BuiltApp, buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { FieldCipher } from '../crypto/field-cipher.js';
import type { Database, DatabaseKind } from '../db/client.js';
import { hashPassword } from '../modules/auth/passwords.js';
import { users } from '../modules/auth/schema.js';
import type { AuthOptions } from '../modules/auth/service.js';
import { organizations } from '../modules/directory/schema.js';
import { createServices, type Services } from '../services.js';
import { openTestDatabase } from './databases.js';

export interface TestApp extends BuiltApp {
  services: Services;
  database: Database;
  close(): Promise<void>;
}

/** A whole Careloop app on its own fresh database, driven with `app.inject`. */
export async function createTestApp(
  kind: DatabaseKind,
  env: Record<string, string> = {},
  authOptions: AuthOptions = {},
  /** The clock of break-glass grants, apart from the sessions' (see createServices). */
  grantClock?: () => Date,
): Promise<TestApp> {
  const database = await openTestDatabase(kind);
  const config = loadConfig({ LOG_LEVEL: 'silent', ...env });
  const cipher = FieldCipher.fromEnv(config.encryptionKey, config.encryptionKeys);
  const services = createServices(
    config,
    database,
    cipher ?? FieldCipher.random(),
    authOptions,
    grantClock,
  );
  const built = await buildApp(services, { logger: false, serveWeb: false });
  await built.app.ready();
  // As `startServer` does: on PostgreSQL every test then runs with the caches on (docs/adr/0005).
  await database.changes?.start();
  return {
    ...built,
    services,
    database,
    close: async () => {
      await built.app.close();
      await services.jobs.stop();
      services.outbox.channel.close();
      await database.close();
    },
  };
}

const TEST_PASSWORD = 'correct horse battery staple';

/** A signed-in user driving the API through `inject`, with cookie and CSRF token. */
export class Session {
  constructor(
    private readonly app: TestApp,
    readonly cookie: string,
    readonly csrfToken: string,
    readonly userId: string,
  ) {}

  request(
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    body?: unknown,
  ): Promise<LightMyRequestResponse> {
    return this.app.app.inject({
      method,
      url,
      headers: {
        cookie: this.cookie,
        'x-csrf-token': this.csrfToken,
        'user-agent': 'careloop-tests',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  }

  get = (url: string) => this.request('GET', url);
  post = (url: string, body: unknown = {}) => this.request('POST', url, body);
  patch = (url: string, body: unknown) => this.request('PATCH', url, body);
}

/** An organization of its own for one test, with helpers to add users and patients. */
export class TestTenant {
  private constructor(
    readonly app: TestApp,
    readonly orgId: string,
    readonly name: string,
  ) {}

  /**
   * A new organization. Its admins need no second factor unless `mfa` says otherwise (an
   * organization's default is the opposite: mfa.test.ts covers it), so that tests about other
   * things sign admins in with a password.
   */
  static async create(
    app: TestApp,
    name = `Test Org ${randomBytes(4).toString('hex')}`,
    mfa: { mfaRequired?: boolean; mfaAdminsExempt?: boolean } = {},
  ) {
    const [org] = await app.database.system((tx) =>
      tx
        .insert(organizations)
        .values({ name, mfaAdminsExempt: true, ...mfa })
        .returning(),
    );
    if (!org) throw new Error('organization not created');
    return new TestTenant(app, org.id, name);
  }

  /** Creates a user with `role` and signs them in. */
  async signIn(role: Role, options: { patientId?: string } = {}): Promise<Session> {
    const email = `${role}-${randomBytes(5).toString('hex')}@test.careloop.test`;
    const [user] = await this.app.database.system(async (tx) =>
      tx
        .insert(users)
        .values({
          orgId: this.orgId,
          email,
          displayName: `Test ${role}`,
          role,
          passwordHash: await testPasswordHash(),
          patientId: options.patientId ?? null,
        })
        .returning(),
    );
    if (!user) throw new Error('user not created');
    return login(this.app, email, TEST_PASSWORD);
  }

  /** A patient created through the API as an admin of this tenant. */
  async createPatient(input: Partial<PatientCreate> = {}): Promise<{ id: string }> {
    this.admin ??= await this.signIn('admin');
    const res = await this.admin.post('/api/patients', { ...samplePatient(), ...input });
    if (res.statusCode !== 200) throw new Error(`create patient: ${res.statusCode} ${res.body}`);
    return { id: res.json<{ patient: { id: string } }>().patient.id };
  }

  private admin: Session | undefined;
}

let testPasswordHashed: Promise<string> | null = null;
/**
 * The hash of TEST_PASSWORD, computed once per test process with the production parameters:
 * argon2id costs tens of milliseconds of one core by design, and test users are created by
 * the thousand. Each user's sign-in still verifies it as production does.
 */
function testPasswordHash(): Promise<string> {
  testPasswordHashed ??= hashPassword(TEST_PASSWORD);
  return testPasswordHashed;
}

export async function login(app: TestApp, email: string, password: string): Promise<Session> {
  const res = await app.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
  });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies.find((c) => c.name === 'careloop_session');
  if (!cookie) throw new Error('no session cookie');
  const body = res.json<{ csrfToken: string; user: { id: string } }>();
  return new Session(app, `careloop_session=${cookie.value}`, body.csrfToken, body.user.id);
}

let counter = 0;
export function samplePatient(): PatientCreate {
  counter += 1;
  return {
    givenName: 'Maria',
    familyName: `Lopez${counter}`,
    birthDate: '1968-04-12',
    administrativeSex: 'female',
    preferredLanguage: 'es',
    preferredChannel: 'sms',
    contactPoints: [
      { system: 'phone', value: `(617) 555-01${10 + (counter % 90)}`, use: 'mobile' },
      { system: 'email', value: `Maria.Lopez${counter}@Example.org` },
    ],
    addresses: [{ line1: '12 Elm St', city: 'Boston', state: 'MA', postalCode: '02118' }],
    identifiers: [{ system: 'urn:careloop:mrn', value: `MRN${100000 + counter}`, type: 'MR' }],
  };
}
