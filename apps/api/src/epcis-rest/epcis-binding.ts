/**
 * Constants of the EPCIS 2.0 REST binding as this server implements it. The limits are constants rather than
 * settings so that every instance announces the same ones; change them here.
 */
export const CAPTURE_EVENT_LIMIT = 10_000;
/** Bytes; main.ts's JSON body parser allows 50 MB, so this is the limit a client meets first. */
export const CAPTURE_FILE_SIZE_LIMIT = 20 * 1024 * 1024;

export const EPCIS_HEADERS: Record<string, string> = {
  'GS1-EPCIS-Version': '2.0.0',
  'GS1-CBV-Version': '2.0.0',
  'GS1-EPCIS-Capture-Limit': String(CAPTURE_EVENT_LIMIT),
  'GS1-EPCIS-Capture-File-Size-Limit': String(CAPTURE_FILE_SIZE_LIMIT),
};

export const JSON_MEDIA_TYPES = ['application/json', 'application/ld+json'];

export type ResponseFormat = 'application/ld+json' | 'application/json';

/**
 * The representation to answer in, or null when the Accept header allows none we write.
 * XML is the one place to switch on once libs/epcis can write EPCIS XML.
 */
export function negotiate(accept: string | undefined): { format: ResponseFormat } | { format: null; reason: string } {
  if (!accept?.trim()) return { format: 'application/ld+json' };
  const ranges = accept
    .split(',')
    .map((part) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((r) => r.q > 0);
  const types = ranges.map((r) => r.type);
  if (types.includes('application/ld+json')) return { format: 'application/ld+json' };
  if (types.includes('application/json') || types.includes('application/problem+json')) return { format: 'application/json' };
  if (types.includes('*/*') || types.includes('application/*')) return { format: 'application/ld+json' };
  if (types.includes('application/xml') || types.includes('text/xml')) {
    return { format: null, reason: 'EPCIS XML answers are not yet available from this server; accept application/ld+json or application/json' };
  }
  return { format: null, reason: `no representation for Accept: ${accept}; this server answers application/ld+json or application/json` };
}
