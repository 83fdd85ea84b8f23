import { type TSchema, Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { validatorCompiler } from './validation.js';

const ID = '0b7c1c9e-2f55-4d0e-9a47-3f1d2c6b8a10';

function validate(schema: TSchema, httpPart: string, value: unknown): unknown {
  const check = validatorCompiler({ schema, httpPart, method: 'GET', url: '/test' });
  return check(value);
}

describe('request validation', () => {
  const Query = Type.Object({
    limit: Type.Optional(Type.Integer({ minimum: 1, default: 20 })),
    q: Type.Optional(Type.String()),
  });

  it('gives a query its defaults even when the query already matches without them', () => {
    expect(validate(Query, 'querystring', {})).toEqual({ value: { limit: 20 } });
    expect(validate(Query, 'querystring', { q: 'ada' })).toEqual({
      value: { q: 'ada', limit: 20 },
    });
  });

  it('converts a query and path from text to the schema types', () => {
    expect(validate(Query, 'querystring', { limit: '10' })).toEqual({ value: { limit: 10 } });
    const Page = Type.Object({ n: Type.Integer() });
    expect(validate(Page, 'params', { n: '3' })).toEqual({ value: { n: 3 } });
  });

  it('takes a matching path as it is, and refuses one that does not match', () => {
    const Params = Type.Object({ id: Type.String({ format: 'uuid' }) });
    expect(validate(Params, 'params', { id: ID })).toEqual({ value: { id: ID } });
    expect(validate(Params, 'params', { id: 'nope' })).toMatchObject({
      error: [{ instancePath: '/id' }],
    });
  });

  it('checks a body as sent, without conversion', () => {
    const Body = Type.Object({ givenName: Type.String() });
    expect(validate(Body, 'body', { givenName: 'Ada' })).toEqual({ value: { givenName: 'Ada' } });
    expect(validate(Body, 'body', { givenName: 5 })).toMatchObject({
      error: [{ instancePath: '/givenName' }],
    });
  });
});
