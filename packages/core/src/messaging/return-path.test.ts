import { describe, expect, it } from 'vitest';
import { isBounceAddress, messageIdOfReturnPath, returnPathFor } from './return-path.js';

const BOUNCES = 'bounces@mail.example.org';
const ID = '0b8f6a52-3c1d-4e9f-a7b2-5d4c3b2a1f00';

describe('VERP return paths', () => {
  it('names the message in the local part and reads it back, whatever the case', () => {
    const path = returnPathFor(BOUNCES, ID);
    expect(path).toBe('bounces+0b8f6a523c1d4e9fa7b25d4c3b2a1f00@mail.example.org');
    expect(messageIdOfReturnPath(BOUNCES, path)).toBe(ID);
    expect(messageIdOfReturnPath(BOUNCES, path.toUpperCase())).toBe(ID);
  });

  it('refuses addresses that are not ours or whose token is not 32 hex digits', () => {
    const path = returnPathFor(BOUNCES, ID);
    expect(messageIdOfReturnPath(BOUNCES, path.replace('mail.example.org', 'evil.example'))).toBe(
      null,
    );
    expect(messageIdOfReturnPath(BOUNCES, path.replace('bounces+', 'other+'))).toBeNull();
    expect(messageIdOfReturnPath(BOUNCES, BOUNCES)).toBeNull();
    expect(messageIdOfReturnPath(BOUNCES, 'bounces+0b8f6a52@mail.example.org')).toBeNull();
    expect(
      messageIdOfReturnPath(BOUNCES, "bounces+0b8f6a523c1d4e9fa7b25d4c3b2a1f0'@mail.example.org"),
    ).toBeNull();
    expect(
      messageIdOfReturnPath(BOUNCES, 'bounces+0b8f6a523c1d4e9fa7b25d4c3b2a1f00x@mail.example.org'),
    ).toBeNull();
  });

  it('takes a bounce address without a + in its local part', () => {
    expect(isBounceAddress(BOUNCES)).toBe(true);
    expect(isBounceAddress('bounces+x@mail.example.org')).toBe(false);
    expect(isBounceAddress('Careloop <bounces@mail.example.org>')).toBe(false);
  });
});
