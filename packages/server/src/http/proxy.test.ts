import type { AddressInfo } from 'node:net';
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../modules/audit/schema.js';
import { createTestApp, type Session, type TestApp, TestTenant } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';
import { parseTrustProxy } from './proxy.js';

describe('TRUST_PROXY', () => {
  it('reads nothing, a hop count or a list of proxy addresses and ranges', () => {
    expect(parseTrustProxy(undefined)).toEqual({ kind: 'none' });
    expect(parseTrustProxy('0')).toEqual({ kind: 'none' });
    expect(parseTrustProxy('1')).toEqual({ kind: 'hops', hops: 1 });
    expect(parseTrustProxy('true')).toEqual({ kind: 'hops', hops: 1 });
    expect(parseTrustProxy('2')).toEqual({ kind: 'hops', hops: 2 });
    expect(parseTrustProxy(' 10.0.0.5, 10.1.0.0/16 ,::1,fd00::/8,loopback')).toEqual({
      kind: 'addresses',
      addresses: ['10.0.0.5', '10.1.0.0/16', '::1', 'fd00::/8', 'loopback'],
    });
  });

  it('refuses what is neither, naming the entry', () => {
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(/TRUST_PROXY.*"10\.0\.0\.0\/33"/);
    expect(() => parseTrustProxy('10.0.0.5,proxy.example.org')).toThrow(/"proxy\.example\.org"/);
    expect(() => parseTrustProxy('yes')).toThrow(/TRUST_PROXY/);
    expect(() => parseTrustProxy('10.0.0.5,')).toThrow(/TRUST_PROXY/);
    expect(() => parseTrustProxy('99')).toThrow(/at most 16/);
  });
});

/**
 * Real HTTP over loopback: the test is the proxy at 127.0.0.1, and what a client wrote into
 * X-Forwarded-For comes before what the proxy appended.
 */
describeEachDatabase('the client address behind a proxy', (kind) => {
  const apps: TestApp[] = [];
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  async function serve(env: Record<string, string>) {
    const t = await createTestApp(kind, env);
    apps.push(t);
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const tenant = await TestTenant.create(t);
    const patient = await tenant.createPatient();
    const admin = await tenant.signIn('admin');
    /** Reads the patient with this X-Forwarded-For; resolves to the address audited. */
    const auditedIp = async (forwardedFor: string | null, session: Session = admin) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/patients/${patient.id}`, {
        headers: {
          cookie: session.cookie,
          ...(forwardedFor === null ? {} : { 'x-forwarded-for': forwardedFor }),
        },
      });
      expect(res.status).toBe(200);
      const [last] = await t.database.system((tx) =>
        tx
          .select({ ip: auditEvents.ip, action: auditEvents.action })
          .from(auditEvents)
          .where(eq(auditEvents.orgId, tenant.orgId))
          .orderBy(desc(auditEvents.seq))
          .limit(1),
      );
      expect(last?.action).toBe('read');
      return last?.ip;
    };
    return { auditedIp };
  }

  let oneHop: Awaited<ReturnType<typeof serve>>;
  let listed: Awaited<ReturnType<typeof serve>>;
  let none: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    oneHop = await serve({ TRUST_PROXY: '1' });
    listed = await serve({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' });
    none = await serve({});
  });

  it('through one trusted hop, takes the address the proxy appended, whatever the client wrote', async () => {
    for (const written of ['198.51.100.1', '198.51.100.2, 198.51.100.3', 'garbage', '::1']) {
      expect(await oneHop.auditedIp(`${written}, 203.0.113.9`)).toBe('203.0.113.9');
    }
    // The proxy saw the client at 127.0.0.1; what the client claimed before it is not believed.
    expect(await oneHop.auditedIp('198.51.100.77, 127.0.0.1')).toBe('127.0.0.1');
    expect(await oneHop.auditedIp(null)).toBe('127.0.0.1');
  });

  it('with a list of proxies, takes the right-most address that is not one of them', async () => {
    expect(await listed.auditedIp('198.51.100.77, 10.1.2.3')).toBe('198.51.100.77');
    expect(await listed.auditedIp('198.51.100.77, 203.0.113.9, 10.1.2.3')).toBe('203.0.113.9');
    expect(await listed.auditedIp('198.51.100.77, 127.0.0.1')).toBe('198.51.100.77');
  });

  it('without TRUST_PROXY, ignores X-Forwarded-For', async () => {
    expect(await none.auditedIp('198.51.100.77')).toBe('127.0.0.1');
  });
});
