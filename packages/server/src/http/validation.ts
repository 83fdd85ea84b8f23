import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';

/** Whether a schema gives a default anywhere in it (a property's, an item's). */
function hasDefault(schema: unknown, seen = new Set<unknown>()): boolean {
  if (typeof schema !== 'object' || schema === null || seen.has(schema)) return false;
  seen.add(schema);
  if (!Array.isArray(schema) && Object.hasOwn(schema, 'default')) return true;
  return Object.values(schema).some((part) => hasDefault(part, seen));
}

/**
 * Request validation with TypeBox, the route table's own schema language. A JSON body is
 * checked as sent, without coercion: Fastify's default (Ajv with `coerceTypes`) stored
 * `{"givenName": 5}` as "5" and turned `null` into "" for a text field. The path and the query
 * string arrive as text, so they alone are converted to the schema's types (`?limit=10`) and
 * given its defaults, as before.
 *
 * A path or query that already matches a schema without defaults is taken as it is: converting
 * a value converts only what does not match, so the result would be the same value, and the
 * conversion and defaults walked the schema on every request (a 360 read's `:id`).
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = Compile(schema);
  const asIs = httpPart === 'body' || !hasDefault(schema);
  return (value: unknown) => {
    if (asIs && validator.Check(value)) return { value };
    const input = httpPart === 'body' ? value : Value.Convert(schema, Value.Default(schema, value));
    if (validator.Check(input)) return { value: input };
    const errors: FastifySchemaValidationError[] = validator.Errors(input).map((e) => ({
      keyword: e.keyword,
      instancePath: e.instancePath,
      schemaPath: e.schemaPath,
      params: { ...e.params },
      message: e.message,
    }));
    return { error: errors };
  };
};
