/**
 * Our OpenAPI document: GS1's official EPCIS 2.0 REST binding (standards/epcis-2.0/rest-binding/openapi.json, GS1's
 * licence in that folder) as this repository serves it: under `/epcis`, with the Bearer API key every operation but
 * discovery needs, and the extensions a client of ours meets (documented in docs/rest-binding.md). The binding's
 * paths, parameters and schemas are kept as published, so a client generated from either document works here.
 */
export interface OpenApiDocument {
  openapi: string;
  info: Record<string, unknown>;
  servers?: { url: string; description?: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
  security?: Record<string, string[]>[];
  externalDocs?: { url: string; description?: string };
}

export const EPCIS_BASE_PATH = '/epcis';

type Json = Record<string, unknown>;

/**
 * A parameter without a pre-filled value: GS1's document gives most query parameters an example (a page token, a
 * 2022 date-time for every time bound), and the explorer's "Try it out" sends every example it is given, so
 * `GET /events` came back as a 400 for a page token nobody issued. The example stays readable in the description.
 */
function withoutExample(parameter: Json, schemas: Json): Json {
  const ref = (parameter.schema as Json | undefined)?.$ref;
  const schema = (typeof ref === 'string' ? schemas[ref.replace('#/components/schemas/', '')] : parameter.schema) as Json | undefined;
  const example = parameter.example ?? schema?.example;
  if (example === undefined || !schema) return parameter;
  const { example: _dropped, ...rest } = schema;
  const shown = typeof example === 'string' ? example.trim() : JSON.stringify(example);
  return {
    ...parameter,
    example: undefined,
    schema: rest,
    description: `${String(parameter.description ?? '').trim()}\n\nExample: \`${shown}\``.trim(),
  };
}

function parametersWithoutExamples(official: OpenApiDocument): Pick<OpenApiDocument, 'paths'> & { parameters: Json } {
  const schemas = (official.components.schemas ?? {}) as Json;
  const parameters = Object.fromEntries(
    Object.entries(official.components.parameters ?? {}).map(([name, p]) => [name, withoutExample(p as Json, schemas)]),
  );
  const inline = (list: unknown) =>
    Array.isArray(list) ? list.map((p) => ((p as Json).$ref ? p : withoutExample(p as Json, schemas))) : list;
  const paths = Object.fromEntries(
    Object.entries(official.paths).map(([path, item]) => [
      path,
      Object.fromEntries(
        Object.entries(item).map(([key, value]) =>
          key === 'parameters'
            ? [key, inline(value)]
            : [
                key,
                value && typeof value === 'object' && 'parameters' in value
                  ? { ...value, parameters: inline((value as Json).parameters) }
                  : value,
              ],
        ),
      ),
    ]),
  );
  return { paths, parameters };
}

export function ourOpenApiDocument(official: OpenApiDocument, version: string): OpenApiDocument {
  const { paths, parameters } = parametersWithoutExamples(official);
  return {
    ...official,
    info: {
      ...official.info,
      title: 'pharmatrace EPCIS 2.0 repository (GS1 EPCIS 2.0 REST binding)',
      version,
      description:
        "GS1's EPCIS 2.0 REST binding as pharmatrace serves it. Every operation needs `Authorization: Bearer <API key>` " +
        'except OPTIONS discovery. Answers hold only the events the key may read (docs/read-policy.md). The binding ' +
        "itself: GS1's openapi.yaml, licensed as its folder's GS1-EPCIS-LICENSE.txt says.",
    },
    servers: [{ url: EPCIS_BASE_PATH, description: 'this repository' }],
    paths,
    components: {
      ...official.components,
      parameters,
      schemas: {
        ...official.components.schemas,
        // GS1's document types this header `object` yet gives a string example (`prefix=uri, …`, as the binding
        // describes it): a client generated from it, or the explorer pre-filling the example, sends a value the type
        // refuses. It is a string.
        'GS1-Extensions': { ...(official.components.schemas?.['GS1-Extensions'] as object), type: 'string' },
      },
      securitySchemes: {
        ...(official.components.securitySchemes ?? {}),
        apiKey: { type: 'http', scheme: 'bearer', description: "An organization's API key (pt_…)" },
      },
    },
    security: [{ apiKey: [] }],
  };
}
