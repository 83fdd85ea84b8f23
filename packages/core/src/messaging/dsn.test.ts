import { describe, expect, it } from 'vitest';
import { bounceKindOf, parseDsn, parseFeedbackReport } from './dsn.js';

/** As Postfix returns a message to an address that does not exist (RFC 3464). */
const POSTFIX_HARD = [
  'Return-Path: <>',
  'From: MAILER-DAEMON@mx.example.org (Mail Delivery System)',
  'Subject: Undelivered Mail Returned to Sender',
  'To: bounces@careloop.example',
  'MIME-Version: 1.0',
  'Content-Type: multipart/report; report-type=delivery-status;',
  '\tboundary="8F2B21C0A.1701853200/mx.example.org"',
  '',
  'This is a MIME-encapsulated message.',
  '',
  '--8F2B21C0A.1701853200/mx.example.org',
  'Content-Description: Notification',
  'Content-Type: text/plain; charset=us-ascii',
  '',
  "I'm sorry to have to inform you that your message could not",
  'be delivered to one or more recipients.',
  '',
  '--8F2B21C0A.1701853200/mx.example.org',
  'Content-Description: Delivery report',
  'Content-Type: message/delivery-status',
  '',
  'Reporting-MTA: dns; mx.example.org',
  'X-Postfix-Queue-ID: 8F2B21C0A',
  'Arrival-Date: Sun,  6 Dec 2026 09:00:00 +0000 (UTC)',
  '',
  'Final-Recipient: rfc822; Ana.Gomez@Example.org',
  'Original-Recipient: rfc822;ana.gomez@example.org',
  'Action: failed',
  'Status: 5.1.1',
  'Remote-MTA: dns; mail.example.org',
  'Diagnostic-Code: smtp; 550 5.1.1 <ana.gomez@example.org>: Recipient address',
  '    rejected: User unknown in virtual mailbox table',
  '',
  '--8F2B21C0A.1701853200/mx.example.org',
  'Content-Description: Undelivered Message Headers',
  'Content-Type: text/rfc822-headers',
  '',
  'From: North Clinic <no-reply@careloop.example>',
  'To: ana.gomez@example.org',
  'Subject: Your appointment',
  'Message-ID: <3c1f6a2e-91d2-4a55-9b0e-2f6f0d1b7c11@careloop.example>',
  '',
  '--8F2B21C0A.1701853200/mx.example.org--',
  '',
].join('\r\n');

/** A full mailbox: the server gave up for now (4.2.2), and a second recipient was delayed. */
const SOFT = [
  'Content-Type: multipart/report; report-type=delivery-status; boundary=XYZ',
  '',
  '--XYZ',
  'Content-Type: text/plain',
  '',
  'Delivery delayed.',
  '--XYZ',
  'Content-Type: message/delivery-status',
  '',
  'Reporting-MTA: dns; relay.example.net',
  '',
  'Final-Recipient: rfc822; full@example.net',
  'Action: failed',
  'Status: 4.2.2 (mailbox full)',
  '',
  'Final-Recipient: rfc822; <later@example.net>',
  'Action: delayed',
  'Status: 4.4.7',
  '',
  '--XYZ',
  'Content-Type: message/rfc822',
  '',
  'Message-ID: <m-2@careloop.example>',
  'Subject: Reminder',
  '',
  'Hello',
  '--XYZ--',
].join('\n');

describe('delivery status notifications', () => {
  it("reads a Postfix bounce: the recipient, failed, 5.1.1, and our message's Message-ID", () => {
    const report = parseDsn(POSTFIX_HARD);
    expect(report).toEqual({
      originalMessageId: '<3c1f6a2e-91d2-4a55-9b0e-2f6f0d1b7c11@careloop.example>',
      recipients: [{ address: 'ana.gomez@example.org', action: 'failed', status: '5.1.1' }],
    });
    expect(report?.recipients.map(bounceKindOf)).toEqual(['hard']);
  });

  it('a 4.x.x failure and a delay are soft bounces; the returned message gives the id', () => {
    const report = parseDsn(SOFT);
    expect(report?.originalMessageId).toBe('<m-2@careloop.example>');
    expect(report?.recipients).toEqual([
      { address: 'full@example.net', action: 'failed', status: '4.2.2' },
      { address: 'later@example.net', action: 'delayed', status: '4.4.7' },
    ]);
    expect(report?.recipients.map(bounceKindOf)).toEqual(['soft', 'soft']);
  });

  it('a delivered or relayed recipient is no bounce', () => {
    expect(bounceKindOf({ address: 'a@b.c', action: 'delivered', status: '2.0.0' })).toBeNull();
    expect(bounceKindOf({ address: 'a@b.c', action: 'relayed', status: '2.0.0' })).toBeNull();
  });

  it('is not fooled by mail that is not a DSN', () => {
    expect(parseDsn('Subject: hi\r\n\r\nAction: failed\r\nStatus: 5.1.1\r\n')).toBeNull();
    expect(parseDsn(POSTFIX_HARD.replace('message/delivery-status', 'text/plain'))).toBeNull();
    // A report whose recipient block lacks a status names no bounce.
    expect(parseDsn(SOFT.replace(/Status: .*\n/g, ''))).toBeNull();
    expect(parseDsn('x'.repeat(262_145))).toBeNull();
  });
});

/** A mailbox provider's complaint (RFC 5965 ARF): the recipient pressed "This is spam". */
const ARF_ABUSE = [
  'From: <abuse@mailbox.example>',
  'To: bounces@careloop.example',
  'Subject: FW: Your appointment',
  'MIME-Version: 1.0',
  'Content-Type: multipart/report; report-type=feedback-report;',
  '     boundary="part1_13d.2e68ed54_boundary"',
  '',
  '--part1_13d.2e68ed54_boundary',
  'Content-Type: text/plain; charset="US-ASCII"',
  '',
  'This is an email abuse report for an email message received from IP',
  '192.0.2.1 on Thu, 8 Mar 2005 14:00:00 EDT.',
  '',
  '--part1_13d.2e68ed54_boundary',
  'Content-Type: message/feedback-report',
  '',
  'Feedback-Type: Abuse',
  'User-Agent: SomeGenerator/1.0',
  'Version: 1',
  '',
  '--part1_13d.2e68ed54_boundary',
  'Content-Type: message/rfc822',
  'Content-Disposition: inline',
  '',
  'From: North Clinic <no-reply@careloop.example>',
  'To: ana.gomez@example.org',
  'Subject: Your appointment',
  'Message-ID: <8d2c@careloop.example>',
  '',
  'See you soon.',
  '--part1_13d.2e68ed54_boundary--',
  '',
].join('\r\n');

describe('parseFeedbackReport', () => {
  it('reads the feedback type and the returned Message-ID of an ARF report', () => {
    expect(parseFeedbackReport(ARF_ABUSE)).toEqual({
      feedbackType: 'abuse',
      originalMessageId: '<8d2c@careloop.example>',
    });
  });

  it('is null for a DSN or a plain message', () => {
    expect(parseFeedbackReport(POSTFIX_HARD)).toBeNull();
    expect(parseFeedbackReport('Subject: hi\r\n\r\nhello')).toBeNull();
  });
});
