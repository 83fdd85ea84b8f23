import { describe, expect, it } from 'vitest';
import { checkOutboundUrl, isPrivate } from './outbound-url.js';

describe('outbound URLs an admin chose', () => {
  it('tells private, loopback and link-local addresses from public ones', () => {
    for (const a of [
      '10.1.2.3',
      '127.0.0.1',
      '169.254.169.254',
      '172.16.5.4',
      '192.168.1.1',
      '100.64.0.1',
    ]) {
      expect(isPrivate(a, 4), a).toBe(true);
    }
    for (const a of ['203.0.113.10', '8.8.8.8', '1.1.1.1']) expect(isPrivate(a, 4), a).toBe(false);
    expect(isPrivate('::1', 6)).toBe(true);
    expect(isPrivate('fd00::1', 6)).toBe(true);
    expect(isPrivate('fe80::1', 6)).toBe(true);
    expect(isPrivate('::ffff:10.0.0.1', 6)).toBe(true);
    expect(isPrivate('::ffff:8.8.8.8', 6)).toBe(false);
    expect(isPrivate('2001:4860:4860::8888', 6)).toBe(false);
  });

  it('takes an https public address, refuses a private one unless its host is listed', async () => {
    await expect(
      checkOutboundUrl('https://203.0.113.10/hook', [], '/body/url'),
    ).resolves.toMatchObject({
      address: '203.0.113.10',
    });
    await expect(checkOutboundUrl('https://10.0.0.5/hook', [], '/body/url')).rejects.toThrow(
      /private/,
    );
    await expect(checkOutboundUrl('https://[::1]/hook', [], '/body/url')).rejects.toThrow(
      /private/,
    );
    await expect(checkOutboundUrl('http://203.0.113.10/hook', [], '/body/url')).rejects.toThrow(
      /https/,
    );
    await expect(
      checkOutboundUrl('http://127.0.0.1:9/x', ['127.0.0.1'], '/body/url'),
    ).resolves.toMatchObject({
      address: '127.0.0.1',
    });
    await expect(
      checkOutboundUrl('https://user:pw@203.0.113.10/', [], '/body/url'),
    ).rejects.toThrow(/credentials/);
    await expect(
      checkOutboundUrl('https://203.0.113.10/jwks', [], '/body/jwksUrl', { onlyListed: true }),
    ).rejects.toThrow(/INTEGRATION_ALLOWED_HOSTS/);
  });
});
