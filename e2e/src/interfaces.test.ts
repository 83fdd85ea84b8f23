import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_LOGINS, freePort, useCareloop, withScreenshotOnFailure } from './harness.js';

/** The admins' Interfaces page: the HL7 v2 message log and the FHIR import history. */

let hl7Port: number;

const { app, browser } = useCareloop(async () => {
  hl7Port = await freePort();
  return { env: { HL7_PORT: String(hl7Port) } };
});

/** Sends one message over MLLP on loopback and resolves with the ACK's text. */
function sendMllp(message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port: hl7Port, host: '127.0.0.1' }, () => {
      socket.write(
        Buffer.concat([Buffer.from([0x0b]), Buffer.from(message), Buffer.from([0x1c, 0x0d])]),
      );
    });
    let reply = '';
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes('\x1c')) {
        socket.end();
        resolve(reply.replaceAll('\x0b', '').replaceAll('\x1c', '').trim());
      }
    });
    socket.on('error', reject);
  });
}

const msh = (controlId: string) =>
  `MSH|^~\\&|EPIC|NORTH|CARELOOP|CL|20240301083000-0500||ADT^A01^ADT_A01|${controlId}|P|2.5.1`;
const adt = (controlId: string, mrn: string, birthDate: string) =>
  [
    msh(controlId),
    'EVN|A01|20240301083000-0500',
    `PID|1||${mrn}^^^NORTH&2.16.840.1.113883.19.5&ISO^MR||Okafor^Ngozi^A^^^^L||${birthDate}|F`,
    pv1(),
  ].join('\r');

function pv1(): string {
  const fields = new Array<string>(46).fill('');
  fields[0] = 'PV1';
  fields[1] = '1';
  fields[2] = 'O';
  fields[3] = 'W3^301^A';
  fields[10] = 'MED';
  fields[44] = '202403010815-0500';
  return fields.join('|');
}

async function signInAdmin(page: Page): Promise<void> {
  await page.goto(`${app.url}/login`);
  await page.getByLabel('Email').fill(DEMO_LOGINS.admin.email);
  await page.getByLabel('Password').fill(DEMO_LOGINS.admin.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
}

describe('interfaces page', () => {
  it('shows the HL7 log with the ACK sent and the error, filters it, and replays a failed message', async () => {
    const suffix = randomUUID().slice(0, 8).toUpperCase();
    const good = await sendMllp(adt(`OK${suffix}`, `M${suffix}1`, '19790214'));
    expect(good, good).toContain('MSA|AA');
    const bad = await sendMllp(adt(`BAD${suffix}`, `M${suffix}2`, '19791399'));
    expect(bad).toMatch(/MSA\|A[ER]/);

    const page = await (
      await browser.newContext({ viewport: { width: 1400, height: 900 } })
    ).newPage();
    await withScreenshotOnFailure(page, 'interfaces-hl7', async () => {
      await signInAdmin(page);
      await page.getByRole('link', { name: 'Interfaces' }).click();
      const rows = page.getByTestId('hl7-message');
      const goodRow = rows.filter({ hasText: `OK${suffix}` });
      const badRow = rows.filter({ hasText: `BAD${suffix}` });
      await goodRow.getByText('AA accepted').waitFor({ timeout: 15_000 });
      await badRow.getByText(/^A[ER] /).waitFor();
      await badRow.getByText(/PID-7/).waitFor();

      await page.getByLabel('Status', { exact: true }).first().click();
      await page.getByRole('option', { name: 'error', exact: true }).click();
      await expect
        .poll(async () => (await rows.allTextContents()).every((t) => t.includes('error')), {
          timeout: 15_000,
        })
        .toBe(true);
      await badRow.waitFor();

      await badRow.getByRole('button', { name: 'View' }).click();
      await page.getByTestId('hl7-raw').getByText(`BAD${suffix}`).waitFor();
      await page.keyboard.press('Escape');

      await badRow.getByRole('button', { name: `Replay message BAD${suffix}` }).click();
      await page.getByText(`Message BAD${suffix} replayed: error`).waitFor();
      await badRow.getByText('2 attempts').waitFor();
    });
    await page.context().close();
  });

  it('lists FHIR imports, refused ones included', async () => {
    const login = await fetch(`${app.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(DEMO_LOGINS.admin),
    });
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const refused = await fetch(`${app.url}/fhir/R4?source=e2e-ehr`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/fhir+json' },
      body: JSON.stringify({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [{ resource: { resourceType: 'Patient', birthDate: 'last tuesday' } }],
      }),
    });
    expect(refused.status).toBeGreaterThanOrEqual(400);

    const page = await (
      await browser.newContext({ viewport: { width: 1400, height: 900 } })
    ).newPage();
    await withScreenshotOnFailure(page, 'interfaces-fhir', async () => {
      await signInAdmin(page);
      await page.goto(`${app.url}/admin/interfaces`);
      await page.getByRole('tab', { name: 'FHIR imports' }).click();
      const row = page.getByTestId('fhir-import').filter({ hasText: 'e2e-ehr' }).first();
      await row.getByText('Refused', { exact: true }).waitFor({ timeout: 15_000 });
      await row.getByText(/admin@demo\.careloop\.test/).waitFor();
    });
    await page.context().close();
  });
});
