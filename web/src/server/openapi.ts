import { z } from 'zod';
import { ZStudyConfig } from '@stepwise/core';
import { appRouter } from './router';
import { TRPC_ENDPOINT } from './handler';

/**
 * The API as an OpenAPI 3.0 document (served at /api/openapi.json), generated from the same zod
 * schemas the procedures validate with, so it cannot drift from them. The API is the tRPC router
 * over HTTP with the superjson transformer; for a caller without a tRPC client that means:
 *
 *   query     GET  /api/trpc/<path>?input=<url-encoded JSON {"json": INPUT}>
 *   mutation  POST /api/trpc/<path>   body {"json": INPUT}   (Content-Type: application/json)
 *   success   200 {"result": {"data": {"json": OUTPUT, "meta": {...}}}}   (meta marks Dates etc.)
 *   failure   4xx/5xx {"error": {"json": {"message", "code", "data": {"code", "httpStatus", "issues"}}}}
 *
 * Dates travel as ISO 8601 strings inside "json" (superjson notes them in "meta").
 */

type JsonSchema = Record<string, unknown>;

// Envelope fields whose zod schema is z.custom (validated by the service): documented as the config schema.
const CONFIG_FIELDS: Record<string, string> = { 'studies.launch': 'config', 'schedules.create': 'template' };

function toSchema(schema: z.ZodType | undefined, io: 'input' | 'output'): JsonSchema {
  if (!schema) return {};
  return z.toJSONSchema(schema, {
    io,
    target: 'openapi-3.0',
    unrepresentable: 'any',
    override: (ctx) => {
      const def = (ctx.zodSchema as unknown as { _zod: { def: { type: string } } })._zod.def;
      if (def.type === 'date') Object.assign(ctx.jsonSchema, { type: 'string', format: 'date-time' });
    },
  }) as JsonSchema;
}

const envelope = (schema: JsonSchema): JsonSchema => ({
  type: 'object',
  properties: { json: schema, meta: { type: 'object', description: 'superjson type annotations (e.g. which fields are Dates); optional on input' } },
  required: ['json'],
});

const ERROR_RESPONSE = {
  description: 'The call failed: BAD_REQUEST (400) carries data.issues, one { field, message } per problem; NOT_FOUND (404); UNAUTHORIZED (401); SERVICE_UNAVAILABLE (503)',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: envelope({
            type: 'object',
            properties: {
              message: { type: 'string' },
              code: { type: 'integer' },
              data: {
                type: 'object',
                properties: {
                  code: { type: 'string', example: 'BAD_REQUEST' },
                  httpStatus: { type: 'integer' },
                  issues: { type: 'array', items: { type: 'object', properties: { field: { type: 'string', example: 'budget.parallel' }, message: { type: 'string' } } } },
                },
              },
            },
          }),
        },
      },
    },
  },
};

interface ProcedureDef {
  type: 'query' | 'mutation' | 'subscription';
  inputs: z.ZodType[];
  output?: z.ZodType;
}

export function openApiDocument(): JsonSchema {
  const studyConfig = toSchema(ZStudyConfig, 'input');
  const paths: Record<string, unknown> = {};
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: ProcedureDef }>;
  for (const [path, proc] of Object.entries(procedures).sort(([a], [b]) => a.localeCompare(b))) {
    const def = proc._def;
    if (def.type === 'subscription') continue;
    const input = toSchema(def.inputs[0], 'input');
    const field = CONFIG_FIELDS[path];
    if (field && typeof input.properties === 'object' && input.properties) {
      (input.properties as Record<string, unknown>)[field] = { $ref: '#/components/schemas/StudyConfig' };
    }
    const ok = {
      description: 'Success',
      content: { 'application/json': { schema: { type: 'object', properties: { result: { type: 'object', properties: { data: envelope(toSchema(def.output, 'output')) } } } } } },
    };
    const [ns, name] = path.split('.');
    const common = { operationId: path.replace('.', '_'), tags: [ns], summary: `${ns}.${name} (${def.type})`, responses: { 200: ok, default: ERROR_RESPONSE } };
    paths[`${TRPC_ENDPOINT}/${path}`] =
      def.type === 'query'
        ? {
            get: {
              ...common,
              parameters: [{
                name: 'input', in: 'query', required: false,
                description: 'URL-encoded JSON {"json": INPUT}; INPUT as in the schema',
                content: { 'application/json': { schema: envelope(input) } },
              }],
            },
          }
        : { post: { ...common, requestBody: { required: true, content: { 'application/json': { schema: envelope(input) } } } } };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'Stepwise API',
      version: '1',
      description:
        'The procedures the dashboard and the CLI use, over HTTP. Queries are GET with ?input=, mutations POST; inputs and outputs are wrapped in {"json": ...} (superjson). ' +
        'When the server has STEPWISE_API_TOKEN set, send Authorization: Bearer <token>. Ids may be unique prefixes (4+ hex digits).',
    },
    servers: [{ url: '/' }],
    components: { schemas: { StudyConfig: studyConfig }, securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }, {}],
    paths,
  };
}
