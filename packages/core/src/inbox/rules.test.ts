import { describe, expect, it } from 'vitest';
import {
  CALL_OUTCOMES,
  callOutcomeCompletes,
  checkAttachment,
  MAX_ATTACHMENT_BYTES,
  portalMessageNotice,
  safeAttachmentName,
  sniffAttachmentType,
} from './rules.js';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('attachments', () => {
  it('knows a PDF, a PNG and a JPEG by their first bytes, and nothing else', () => {
    expect(sniffAttachmentType(new TextEncoder().encode('%PDF-1.7\n'))).toBe('application/pdf');
    expect(sniffAttachmentType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe(
      'image/png',
    );
    expect(sniffAttachmentType(bytes(0xff, 0xd8, 0xff, 0xe0))).toBe('image/jpeg');
    // A Windows program, an HTML page and a truncated PNG signature are refused.
    expect(sniffAttachmentType(new TextEncoder().encode('MZ\x90\x00'))).toBeNull();
    expect(sniffAttachmentType(new TextEncoder().encode('<html><script>'))).toBeNull();
    expect(sniffAttachmentType(bytes(0x89, 0x50, 0x4e, 0x47))).toBeNull();
  });

  it('refuses an empty file and one over 5 MB before looking at its type', () => {
    expect(checkAttachment(bytes())).toEqual({ ok: false, reason: 'empty' });
    const big = new Uint8Array(MAX_ATTACHMENT_BYTES + 1);
    big.set([0x25, 0x50, 0x44, 0x46, 0x2d]);
    expect(checkAttachment(big)).toEqual({ ok: false, reason: 'too-large' });
    expect(checkAttachment(big.subarray(0, MAX_ATTACHMENT_BYTES))).toEqual({
      ok: true,
      contentType: 'application/pdf',
    });
  });

  it('keeps a safe base name with the extension of what the file is', () => {
    expect(safeAttachmentName('card.pdf', 'image/png')).toBe('card.png');
    expect(safeAttachmentName('C:\\Users\\me\\Lab "results".PDF', 'application/pdf')).toBe(
      'Lab _results_.pdf',
    );
    expect(safeAttachmentName('../../etc/passwd', 'image/jpeg')).toBe('passwd.jpg');
    expect(safeAttachmentName('...', 'image/jpeg')).toBe('attachment.jpg');
    expect(safeAttachmentName(`${'a'.repeat(300)}.png`, 'image/png')).toHaveLength(104);
  });
});

describe('the portal notice', () => {
  it('names the organization and nothing of the message', () => {
    expect(portalMessageNotice('Riverside Clinic')).toEqual({
      subject: 'New message from Riverside Clinic',
      text: 'You have a new message from Riverside Clinic. Sign in to read it.',
    });
  });
});

describe('call outcomes', () => {
  it('leaves the task open only when the patient was not reached and may be tried again', () => {
    expect(CALL_OUTCOMES.filter((o) => !callOutcomeCompletes(o))).toEqual([
      'voicemail',
      'no-answer',
    ]);
  });
});
