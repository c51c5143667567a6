import { describe, expect, it } from 'vitest';
import { openApiDocument } from './openapi';
import { appRouter } from './router';

describe('openApiDocument', () => {
  it('has one operation per procedure: GET for queries, POST for mutations, in the {"json": ...} envelope', () => {
    const doc = openApiDocument() as { paths: Record<string, Record<string, { parameters?: Array<{ name: string }>; requestBody?: unknown }>> };
    const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>);
    expect(Object.keys(doc.paths)).toHaveLength(procedures.filter(([, p]) => p._def.type !== 'subscription').length);
    const list = doc.paths['/api/trpc/studies.list'].get;
    expect(list.parameters?.map((p) => p.name)).toEqual(['input']);
    expect(JSON.stringify(doc.paths['/api/trpc/schedules.create'].post.requestBody)).toContain('"template":{"$ref":"#/components/schemas/StudyConfig"}');
  });
});
