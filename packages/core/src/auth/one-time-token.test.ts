import { describe, expect, it } from 'vitest';
import { oneTimeTokenExpiry, oneTimeTokenState, parseOneTimeToken } from './one-time-token.js';

const ORG = '0b5e4f2a-7c1d-4e8f-9a6b-3c2d1e0f9a8b';
const SECRET = 'A'.repeat(43);

describe('one-time tokens', () => {
  const issued = new Date('2026-03-01T12:00:00Z');
  const at = (ms: number) => new Date(issued.getTime() + ms);

  it('work until their lifetime is over, not a moment longer', () => {
    const token = { expiresAt: oneTimeTokenExpiry(issued, 60_000), usedAt: null };
    expect(oneTimeTokenState(token, at(0))).toBe('valid');
    expect(oneTimeTokenState(token, at(59_999))).toBe('valid');
    expect(oneTimeTokenState(token, at(60_000))).toBe('expired');
  });

  it('work once: a used token is used, also before it would expire and after', () => {
    const token = { expiresAt: oneTimeTokenExpiry(issued, 60_000), usedAt: at(1) };
    expect(oneTimeTokenState(token, at(2))).toBe('used');
    expect(oneTimeTokenState(token, at(120_000))).toBe('used');
  });

  it('carry the organization and a 32-byte secret; anything else is a 400 naming the field', () => {
    expect(parseOneTimeToken(`${ORG}.${SECRET}`, 'bad link')).toEqual({
      orgId: ORG,
      token: `${ORG}.${SECRET}`,
    });
    const garbled = ['', SECRET, `${ORG}.`, `${ORG}.${SECRET}.x`, `not-a-uuid.${SECRET}`];
    for (const bad of [...garbled, `${ORG}.${SECRET.slice(1)}`, `${ORG}.${'%'.repeat(43)}`]) {
      expect(() => parseOneTimeToken(bad, 'bad link', '/query/token')).toThrow(
        expect.objectContaining({
          problem: expect.objectContaining({ status: 400, path: '/query/token' }),
        }),
      );
    }
  });
});
