import { describe, expect, it } from 'vitest';
import { fieldErrors, fieldName } from './field-errors.js';

describe('field errors of a refused request', () => {
  it('gives one error per invalid field, each with its path, in the order found', () => {
    const errors = fieldErrors('body', [
      { keyword: 'required', instancePath: '', params: { requiredProperties: ['familyName'] } },
      { keyword: 'type', instancePath: '/givenName', message: 'must be string' },
      { keyword: 'format', instancePath: '/birthDate', params: { format: 'date' } },
      { keyword: 'anyOf', instancePath: '/birthDate', message: 'must match a schema in anyOf' },
    ]);
    expect(errors).toEqual([
      { path: '/body/familyName', message: 'is required' },
      { path: '/body/givenName', message: 'must be string' },
      { path: '/body/birthDate', message: 'must be a date (YYYY-MM-DD)' },
    ]);
  });

  it('names each of several missing properties, nested ones with their parent path', () => {
    const errors = fieldErrors('body', [
      {
        keyword: 'required',
        instancePath: '/addresses/0',
        params: { requiredProperties: ['city', 'line'] },
      },
    ]);
    expect(errors.map((e) => e.path)).toEqual(['/body/addresses/0/city', '/body/addresses/0/line']);
  });

  it('words lengths and allowed values for a person', () => {
    const [empty, long, choice] = [
      fieldErrors('body', [{ keyword: 'minLength', instancePath: '/a', params: { limit: 1 } }]),
      fieldErrors('body', [{ keyword: 'maxLength', instancePath: '/a', params: { limit: 40 } }]),
      fieldErrors('query', [
        { keyword: 'enum', instancePath: '/sort', params: { allowedValues: ['due', 'created'] } },
      ]),
    ];
    expect(empty?.[0]?.message).toBe('must not be empty');
    expect(long?.[0]?.message).toBe('must be at most 40 characters');
    expect(choice?.[0]).toEqual({ path: '/query/sort', message: 'must be one of: due, created' });
  });

  it('reads a path as a field name', () => {
    expect(fieldName('/body/addresses/0/city')).toBe('addresses.0.city');
    expect(fieldName('/query')).toBe('query');
  });
});
