import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type Session, type TestApp, TestTenant } from '../test/app.js';
import { describeEachDatabase } from '../test/databases.js';

describeEachDatabase('security headers', (kind) => {
  let t: TestApp;
  let admin: Session;
  let patientId: string;
  beforeAll(async () => {
    t = await createTestApp(kind);
    const tenant = await TestTenant.create(t);
    admin = await tenant.signIn('admin');
    patientId = (await tenant.createPatient()).id;
  });
  afterAll(() => t.close());

  const get = (url: string, session?: Session) =>
    t.app.inject({ method: 'GET', url, headers: session ? { cookie: session.cookie } : {} });

  it('marks every API and FHIR response no-store, errors included', async () => {
    const responses = [
      await get(`/api/patients/${patientId}`, admin),
      await get(`/api/patients/${patientId}/timeline`, admin),
      await get(`/fhir/R4/Patient/${patientId}`, admin),
      await get(`/fhir/R4/Patient?_count=5`, admin),
      await get(`/api/patients/${patientId}`),
      await get('/api/health'),
      await get('/api/no-such-route'),
    ];
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 401, 200, 404]);
    for (const res of responses) expect(res.headers['cache-control']).toBe('no-store');
    const invalid = await admin.post('/api/patients', {});
    expect(invalid.statusCode).toBe(400);
    expect(invalid.headers['cache-control']).toBe('no-store');
  });

  it('sends a CSP allowing only its own scripts, no framing, no sniffing, no Referer to other sites', async () => {
    for (const url of ['/api/health', '/api/docs', '/api/docs/static/index.html', '/portal']) {
      const res = await get(url);
      const csp = String(res.headers['content-security-policy']);
      expect(csp, url).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('same-origin');
    }
  });
});
