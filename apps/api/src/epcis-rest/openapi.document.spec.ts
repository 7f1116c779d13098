import { readFileSync } from 'node:fs';
import path from 'node:path';
import { OpenApiDocument, ourOpenApiDocument } from './openapi.document';

const official = JSON.parse(
  readFileSync(path.join(__dirname, '../../../../standards/epcis-2.0/rest-binding/openapi.json'), 'utf8'),
) as OpenApiDocument;
const METHODS = ['get', 'post', 'put', 'delete', 'options', 'head', 'patch'];

describe('our OpenAPI document', () => {
  const ours = ourOpenApiDocument(official, '9.9.9');

  it('keeps every path and operation of GS1’s binding, served under /epcis with a Bearer key', () => {
    const operations = (d: OpenApiDocument) =>
      Object.entries(d.paths).flatMap(([p, item]) =>
        Object.keys(item)
          .filter((m) => METHODS.includes(m))
          .map((m) => `${m} ${p}`),
      );
    expect(operations(ours)).toEqual(operations(official));
    expect(operations(ours)).toHaveLength(63);
    expect(ours.servers).toEqual([{ url: '/epcis', description: 'this repository' }]);
    expect(ours.security).toEqual([{ apiKey: [] }]);
    expect(ours.components.securitySchemes).toMatchObject({ apiKey: { type: 'http', scheme: 'bearer' } });
    expect(ours.info).toMatchObject({ version: '9.9.9', license: official.info.license });
  });

  it('pre-fills no parameter, keeping each example in the description', () => {
    const parameters = Object.values(ours.components.parameters) as Record<string, any>[];
    for (const p of parameters) {
      expect(p.example).toBeUndefined();
      expect(p.schema?.example).toBeUndefined();
      if (p.schema?.$ref) expect((ours.components.schemas[p.schema.$ref.split('/').pop()] as any)?.example).toBeUndefined();
    }
    const token = ours.components.parameters.NextPageToken as Record<string, any>;
    expect(token.description).toMatch(/Example: `.+`/);
    // The schemas themselves, used by bodies, keep their examples.
    expect(Object.values(ours.components.schemas).some((s) => (s as any).example !== undefined)).toBe(true);
  });

  it('types the GS1-Extensions header as the string the binding describes', () => {
    expect(ours.components.schemas['GS1-Extensions']).toMatchObject({ type: 'string' });
  });
});
