import { isValidGtin, isValidSscc, toGtin14 } from '../../../../libs/gs1/src/browser';
import { GsSubstitute, normaliseWedgeScan } from '../scan-code';

/** What a regulator's search asks for: an EPC provenance() reads as is, a pack scan the server parses, or a lot. */
export type ExplorerQuery = { kind: 'epc'; epc: string } | { kind: 'scan'; code: string } | { kind: 'lot'; gtin: string; lot: string };

export enum SearchErrorCode {
  EMPTY = 'EMPTY',
  BAD_CHECK_DIGIT = 'BAD_CHECK_DIGIT',
  BAD_LOT = 'BAD_LOT',
}

export class SearchError extends Error {
  constructor(
    readonly code: SearchErrorCode,
    readonly field: 'search' | 'gtin' | 'lot',
    readonly rule: string,
    message: string,
  ) {
    super(message);
    this.name = 'SearchError';
  }
}

const ssccLink = (sscc: string) => `https://id.gs1.org/00/${sscc}`;

function sscc(digits: string): ExplorerQuery {
  if (!isValidSscc(digits))
    throw new SearchError(SearchErrorCode.BAD_CHECK_DIGIT, 'search', 'sscc-check-digit', `SSCC ${digits}: the check digit is wrong`);
  return { kind: 'epc', epc: ssccLink(digits) };
}

/** GS1 Digital Link primary key and key qualifiers from a URI's path, whatever its domain and path prefix. */
function digitalLinkKeys(uri: string): Map<string, string> {
  const segments = new URL(uri).pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const keys = new Map<string, string>();
  const start = segments.findIndex((s, i) => (s === '01' || s === '00' || s === '8006') && i + 1 < segments.length);
  for (let i = Math.max(start, 0); start >= 0 && i + 1 < segments.length; i += 2) keys.set(segments[i], segments[i + 1]);
  return keys;
}

/**
 * Reads the search box. SSCCs (18 digits, `(00)…`) become Digital Links here, with their check digit verified;
 * EPC URNs and Digital Links go to provenance() as typed; a Digital Link to a GTIN and lot opens the lot view;
 * anything else is a pack scan (DataMatrix data, bracketed element string) for the server's scan parser.
 */
export function parseSearch(text: string, gsSubstitute?: GsSubstitute): ExplorerQuery {
  const input = normaliseWedgeScan(text, gsSubstitute).trim();
  if (input === '') throw new SearchError(SearchErrorCode.EMPTY, 'search', 'required', 'Type or scan a pack, case or pallet code');
  const bare = /^(?:\(00\))?(\d{18})$/.exec(input);
  if (bare) return sscc(bare[1]);
  if (/^urn:epc:id:/i.test(input)) return { kind: 'epc', epc: input };
  if (/^https?:\/\//i.test(input)) {
    const keys = digitalLinkKeys(input);
    const gtin = keys.get('01');
    const lot = keys.get('10');
    if (gtin && lot !== undefined && !keys.has('21')) return lotQuery(gtin, lot);
    return { kind: 'epc', epc: input };
  }
  return { kind: 'scan', code: input };
}

/** The lot view's two fields; a GTIN-8, -12 or -13 is widened to the GTIN-14 the server stores. */
export function lotQuery(gtin: string, lot: string): ExplorerQuery {
  const g = gtin.trim();
  const l = lot.trim();
  if (!isValidGtin(g))
    throw new SearchError(
      SearchErrorCode.BAD_CHECK_DIGIT,
      'gtin',
      'gtin-check-digit',
      `GTIN ${JSON.stringify(g)}: 8, 12, 13 or 14 digits with a correct check digit`,
    );
  if (l === '' || l.length > 20)
    throw new SearchError(SearchErrorCode.BAD_LOT, 'lot', 'ai-10-length', 'A lot number has 1 to 20 characters');
  return { kind: 'lot', gtin: toGtin14(g), lot: l };
}

/** GTIN and serial of a pack's canonical Digital Link, for labels and for opening its lot. */
export function packKeys(epc: string): { gtin?: string; serial?: string; sscc?: string } {
  if (!/^https?:\/\//i.test(epc)) return {};
  const keys = digitalLinkKeys(epc);
  return { gtin: keys.get('01'), serial: keys.get('21'), sscc: keys.get('00') };
}
