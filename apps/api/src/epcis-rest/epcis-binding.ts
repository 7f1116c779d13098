import type { IncomingMessage } from 'node:http';
import { CAPTURE_EVENT_LIMIT, CBV_XML_FORMATS, type CbvXmlFormat, EPC_FORMATS, type EpcFormat } from '@pharmatrace/epcis';

export { CAPTURE_EVENT_LIMIT };

/**
 * Constants of the EPCIS 2.0 REST binding as this server implements it. The limits are constants rather than
 * settings so that every instance announces the same ones; change them here (the event limit, shared with
 * GraphQL capture, in libs/epcis input-limits.ts).
 */
/**
 * Bytes. Bodies above STREAMED_CAPTURE_THRESHOLD (or of unknown length) are spooled to a temporary file and
 * captured event by event, so this bounds disk use per request, not memory.
 */
export const CAPTURE_FILE_SIZE_LIMIT = 512 * 1024 * 1024;
/**
 * Bytes. Capture bodies up to this size are read into memory and checked before the 202; larger ones are streamed.
 * JSON.parse holds the event loop for about 7 ms per MB, so 4 MiB keeps one body under the 50 ms budget (issue 13).
 */
export const STREAMED_CAPTURE_THRESHOLD = 4 * 1024 * 1024;

export const EPCIS_HEADERS: Record<string, string> = {
  'GS1-EPCIS-Version': '2.0.0',
  'GS1-CBV-Version': '2.0.0',
  // The one version of each this server speaks, announced as the binding's bounds for clients to negotiate with.
  'GS1-EPCIS-Min': '2.0.0',
  'GS1-EPCIS-Max': '2.0.0',
  'GS1-CBV-Min': '2.0.0',
  'GS1-CBV-Max': '2.0.0',
  'GS1-EPCIS-Capture-Limit': String(CAPTURE_EVENT_LIMIT),
  'GS1-EPCIS-Capture-File-Size-Limit': String(CAPTURE_FILE_SIZE_LIMIT),
};

/** GS1-Capture-Error-Behaviour values a client may send (`all` is the server's announcement of both). */
export const CAPTURE_ERROR_BEHAVIOURS = ['rollback', 'proceed'] as const;
export type CaptureErrorBehaviour = (typeof CAPTURE_ERROR_BEHAVIOURS)[number];

/**
 * The discovery headers every OPTIONS answer adds to EPCIS_HEADERS: capture takes identifiers and CBV values in either
 * syntax (No_Preference: any format is accepted) and query answers translate them on request. The one CBV-style
 * vocabulary of its own is announced in `GS1-Extensions`: `pt`, the platform's bizStep for exports (EXPORTING_BIZSTEP).
 */
export const DISCOVERY_HEADERS: Record<string, string> = {
  'GS1-EPC-Format': 'No_Preference',
  'GS1-CBV-XML-Format': 'No_Preference',
  'GS1-Extensions': 'pt=https://pharmatrace.org/voc/',
  'GS1-Vendor-Version': 'pharmatrace-0.1.0',
};

/** OPTIONS on /epcis/capture and /epcis/capture/{captureID}: `all` says both rollback and proceed are supported. */
export const CAPTURE_DISCOVERY_HEADERS: Record<string, string> = { ...DISCOVERY_HEADERS, 'GS1-Capture-Error-Behaviour': 'all' };

/** What a request asked of the binding's format and capture headers, each defaulted as the binding says. */
export interface BindingPreferences {
  /** Absent: Always_GS1_Digital_Link, the binding's default for EPCIS 2.0 answers. */
  epcFormat: EpcFormat;
  /** Absent: No_Preference (only XML answers are affected). */
  cbvXmlFormat: CbvXmlFormat;
  /** Absent: rollback, as in EPCIS 1.2. */
  captureErrorBehaviour: CaptureErrorBehaviour;
}

type Choice<T> = { value: T; reason?: undefined } | { value?: undefined; reason: string };

function choice<T extends string>(headers: IncomingMessage['headers'], name: string, allowed: readonly T[], fallback: T): Choice<T> {
  const value = headers[name.toLowerCase()];
  if (value === undefined) return { value: fallback };
  const text = String(value).trim();
  const found = allowed.find((v) => v.toLowerCase() === text.toLowerCase());
  return found ? { value: found } : { reason: `${name}: "${text}" is not one of ${allowed.join(', ')}` };
}

/** The request's binding preferences, or why a header's value is refused (a 400 naming the header). */
export function bindingPreferences(
  headers: IncomingMessage['headers'],
): { preferences: BindingPreferences } | { preferences: null; header: string; reason: string } {
  const epcFormat = choice(headers, 'GS1-EPC-Format', EPC_FORMATS, 'Always_GS1_Digital_Link');
  if (epcFormat.value === undefined) return { preferences: null, header: 'GS1-EPC-Format', reason: epcFormat.reason };
  const cbvXmlFormat = choice(headers, 'GS1-CBV-XML-Format', CBV_XML_FORMATS, 'No_Preference');
  if (cbvXmlFormat.value === undefined) return { preferences: null, header: 'GS1-CBV-XML-Format', reason: cbvXmlFormat.reason };
  const behaviour = choice(headers, 'GS1-Capture-Error-Behaviour', CAPTURE_ERROR_BEHAVIOURS, 'rollback');
  if (behaviour.value === undefined) return { preferences: null, header: 'GS1-Capture-Error-Behaviour', reason: behaviour.reason };
  return { preferences: { epcFormat: epcFormat.value, cbvXmlFormat: cbvXmlFormat.value, captureErrorBehaviour: behaviour.value } };
}

export const JSON_MEDIA_TYPES = ['application/json', 'application/ld+json'];
/** EPCIS 2.0 and 1.2 XML documents; read into the same JSON-LD model as JSON captures. */
export const XML_MEDIA_TYPES = ['application/xml', 'text/xml'];

export type ResponseFormat = 'application/ld+json' | 'application/json' | 'application/xml';

const WRITTEN: Readonly<Record<string, ResponseFormat>> = {
  'application/ld+json': 'application/ld+json',
  'application/json': 'application/json',
  'application/problem+json': 'application/json',
  'application/xml': 'application/xml',
  'text/xml': 'application/xml',
  'application/*': 'application/ld+json',
  '*/*': 'application/ld+json',
};

/** The representation to answer in (the acceptable one with the highest q), or null when Accept allows none we write. */
export function negotiate(accept: string | undefined): { format: ResponseFormat } | { format: null; reason: string } {
  if (!accept?.trim()) return { format: 'application/ld+json' };
  const ranges = accept
    .split(',')
    .map((part) => {
      const [type, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
      const q = params.find((p) => p.startsWith('q='));
      return { type, q: q ? Number(q.slice(2)) : 1 };
    })
    .filter((r) => r.q > 0 && WRITTEN[r.type]);
  // Sorting is stable, so among equal q the client's order decides.
  const best = ranges.sort((a, b) => b.q - a.q)[0];
  if (best) return { format: WRITTEN[best.type] };
  return {
    format: null,
    reason: `no representation for Accept: ${accept}; this server answers application/ld+json, application/json or application/xml`,
  };
}

const VERSION = /^\d{1,4}(\.\d{1,4}){0,2}$/;
const versionParts = (v: string) => [...v.split('.').map(Number), 0, 0].slice(0, 3);
const compareVersions = (a: string, b: string) => {
  const [x, y] = [versionParts(a), versionParts(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
};

/**
 * The binding's version bounds (GS1-EPCIS-Min/Max, GS1-CBV-Min/Max): null when the versions this server speaks
 * (EPCIS 2.0.0, CBV 2.0.0) lie within what the client accepts, else why not (answered 406).
 */
export function versionRefusal(headers: IncomingMessage['headers']): string | null {
  const bounds: [string, string, 'min' | 'max'][] = [
    ['gs1-epcis-min', EPCIS_HEADERS['GS1-EPCIS-Version'], 'min'],
    ['gs1-epcis-max', EPCIS_HEADERS['GS1-EPCIS-Version'], 'max'],
    ['gs1-cbv-min', EPCIS_HEADERS['GS1-CBV-Version'], 'min'],
    ['gs1-cbv-max', EPCIS_HEADERS['GS1-CBV-Version'], 'max'],
  ];
  for (const [header, ours, bound] of bounds) {
    const value = headers[header];
    if (value === undefined) continue;
    const text = String(value).trim();
    if (!VERSION.test(text)) return `${header}: "${text}" is not a version such as 2.0.0`;
    const outside = bound === 'min' ? compareVersions(ours, text) < 0 : compareVersions(ours, text) > 0;
    if (outside) return `${header}: ${text} excludes this server's version ${ours}`;
  }
  return null;
}

const mediaTypeOf = (req: IncomingMessage) => (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();

/** A capture body the binding streams instead of reading into memory: larger than the threshold, or of unknown length. */
export function isStreamedCapture(req: IncomingMessage, url = req.url ?? ''): boolean {
  if (req.method !== 'POST' || url.split('?')[0].replace(/\/+$/, '') !== '/epcis/capture') return false;
  const declared = req.headers['content-length'];
  return declared === undefined || Number(declared) > STREAMED_CAPTURE_THRESHOLD;
}

/**
 * The `type` test for the platform's JSON body parser (main.ts): application/json bodies, except capture
 * bodies the binding streams, which the parser would otherwise buffer whole.
 */
export function isBufferedJsonBody(req: IncomingMessage): boolean {
  return mediaTypeOf(req) === 'application/json' && !isStreamedCapture(req);
}
