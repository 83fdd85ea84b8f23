import { connect } from 'node:net';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { freePort, serverNow, useCareloop, withScreenshotOnFailure } from './harness.js';

/**
 * Issue 11's whole path in one run: the reminder journey published in the console, an EHR's
 * HL7 SIU^S12 into the MLLP listener, the reminder text on the test phone, the patient's "C",
 * the appointment confirmed and the conversation on the patient's timeline.
 *
 * The server under test is a separate process on the real clock (its journeys wait on it), so
 * the appointment's time is made from that same clock: 2 days and a minute ahead, so the "2 days
 * before" text is due a minute after booking. Nothing here depends on the calendar date.
 */
let hl7Port: number;

const START_VT = String.fromCharCode(0x0b);
const END = `${String.fromCharCode(0x1c)}\r`;

const { app, newPage, signIn } = useCareloop(async () => {
  hl7Port = await freePort();
  return { env: { HL7_PORT: String(hl7Port) } };
});

/** Sends one message over MLLP and resolves with the ACK. */
function sendMllp(message: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let reply = '';
    const socket = connect({ port: hl7Port, host: '127.0.0.1' }, () => {
      socket.write(`${START_VT}${message}${END}`);
    });
    socket.on('data', (chunk) => {
      reply += chunk.toString('utf8');
      if (reply.includes(String.fromCharCode(0x1c))) {
        socket.end();
        resolve(reply);
      }
    });
    socket.on('error', reject);
  });
}

/** An HL7 timestamp in UTC with its offset. */
function hl7Time(at: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${at.getUTCFullYear()}${p(at.getUTCMonth() + 1)}${p(at.getUTCDate())}${p(at.getUTCHours())}${p(at.getUTCMinutes())}${p(at.getUTCSeconds())}+0000`;
}

async function signedInAdmin(): Promise<Page> {
  const page = await newPage(1400, { viewport: { width: 1400, height: 1000 } });
  await signIn(page, 'admin');
  await page.getByRole('link', { name: 'Journeys' }).waitFor();
  return page;
}

describe('appointment reminder, end to end', () => {
  it('an SIU booking from the EHR gets the reminder text, the patient replies C, and the appointment is confirmed on the timeline', async () => {
    const page = await signedInAdmin();
    await withScreenshotOnFailure(page, 'reminder-confirm', async () => {
      // The clinic's send-time policy: texts at any hour, so the run passes at night too (the
      // quiet-hours rule has its own tests). An admin sets it on the Organization page.
      await page.getByRole('link', { name: 'Organization' }).click();
      const messages = page.getByRole('form', { name: 'Patient message settings' });
      await messages.getByLabel('Send at any hour').check();
      await messages.getByRole('button', { name: 'Save message settings' }).click();
      await page.getByText('Message settings saved').waitFor();

      // 1. Publish the ready reminder journey.
      await page.getByRole('link', { name: 'Journeys' }).click();
      const ready = page.getByTestId('ready-journey').filter({ hasText: 'Appointment reminders' });
      await ready.getByRole('button', { name: 'Enable' }).click();
      await ready.getByText('Enabled').waitFor();

      // 2. The EHR books a visit for a new patient with a mobile number.
      const phone = `617555${String(1000 + Math.floor(Math.random() * 8999))}`;
      const now = await serverNow(app.url);
      const start = new Date(now.getTime() + 2 * 86_400_000 + 60_000);
      const siu = [
        `MSH|^~\\&|EPIC|NORTH|CARELOOP|CL|${hl7Time(now)}||SIU^S12^SIU_S12|E2E-${phone}|P|2.5.1`,
        `SCH||APPT-${phone}|||||^Annual visit|||||||||||||||||Booked`,
        `PID|1||E2E${phone}^^^NORTH&2.16.840.1.113883.19.5&ISO^MR||Reminder^Rita^A^^^^L||19800412|F|||1 Main St^^Boston^MA^02118^USA^H||^PRN^CP^^1^${phone.slice(0, 3)}^${phone.slice(3)}`,
        'RGS|1|A',
        `AIS|1|A|FUV^Follow-up visit^L|${hl7Time(start)}|||30|min`,
      ].join('\r');
      const ack = await sendMllp(siu);
      expect(ack).toContain('MSA|AA');

      // 3. The reminder reaches the patient's phone a minute later. The Test phone reads a
      // number once per opening (each read is audited), so the test opens it again until then.
      await page.getByRole('link', { name: 'Test phone' }).click();
      const conversation = page.getByRole('log', { name: 'Conversation' });
      const reminder = conversation.getByText(/reply C to confirm/i);
      const openPhone = async () => {
        await page.getByLabel('Phone number').fill(phone);
        await page.getByRole('button', { name: 'Open conversation' }).click();
        await conversation.waitFor();
      };
      await openPhone();
      await expect
        .poll(
          async () => {
            if ((await reminder.count()) > 0) return true;
            await page.reload();
            await openPhone();
            return false;
          },
          { timeout: 180_000, interval: 5_000 },
        )
        .toBe(true);

      // 4. The patient replies C.
      await page.getByLabel('Reply as the patient').fill('C');
      await page.getByRole('button', { name: 'Send' }).click();
      await conversation.getByText('C', { exact: true }).last().waitFor();

      // 5. Staff see the appointment confirmed and the conversation on the timeline.
      const found = await page.request.get(
        `${app.url}/api/patients?q=${encodeURIComponent('Rita Reminder')}&limit=5`,
      );
      const { items } = (await found.json()) as { items: { id: string }[] };
      const patientId = items[0]?.id;
      if (!patientId) throw new Error('the SIU patient is not in the list');
      await expect
        .poll(
          async () => {
            await page.goto(`${app.url}/patients/${patientId}`);
            await page.getByRole('tab', { name: 'Timeline' }).click();
            return page.getByText('Appointment confirmed by the patient').count();
          },
          { timeout: 60_000, interval: 2_000 },
        )
        .toBeGreaterThan(0);
      const timeline = page.getByRole('tabpanel');
      expect(await timeline.getByText(/sms/i).count()).toBeGreaterThan(0);
    });
  }, 360_000);
});
