import type { FastifySchemaCompiler, FastifySchemaValidationError } from 'fastify';
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';

/**
 * Request validation with TypeBox, the route table's own schema language. A JSON body is
 * checked as sent, without coercion: Fastify's default (Ajv with `coerceTypes`) stored
 * `{"givenName": 5}` as "5" and turned `null` into "" for a text field. The path and the query
 * string arrive as text, so they alone are converted to the schema's types (`?limit=10`) and
 * given its defaults, as before.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const validator = Compile(schema);
  return (value: unknown) => {
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
