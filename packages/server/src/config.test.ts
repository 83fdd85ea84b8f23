import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('BREAK_GLASS_MINUTES', () => {
  it('is 30 minutes unless set', () => {
    expect(loadConfig({}).breakGlassMinutes).toBe(30);
    expect(loadConfig({ BREAK_GLASS_MINUTES: '45' }).breakGlassMinutes).toBe(45);
  });

  it('refuses zero, more than 12 hours, and anything not a whole number', () => {
    for (const value of ['0', '721', '1.5', 'soon', '-3']) {
      expect(() => loadConfig({ BREAK_GLASS_MINUTES: value }), value).toThrow(
        /BREAK_GLASS_MINUTES/,
      );
    }
  });
});
