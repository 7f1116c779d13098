import { validateAiValue } from './ai-validation';
import { assertGs1Key, gs1CheckDigit, toGtin14 } from './check-digit';
import { DEFAULT_DIGITAL_LINK_DOMAIN, encodeDigitalLinkValue, parseDigitalLink } from './digital-link';
import { Gs1Error, Gs1ErrorCode } from './gs1-error';

/**
 * A physical or class-level identifier, independent of how it was written.
 * `gtin` is a product class (EPC pattern `urn:epc:idpat:sgtin:CP.Item.*`, or Digital Link `/01/<gtin>` alone).
 * `grai` is the 14-digit numeric part of AI (8003) (padding zero + GRAI-13); `serial` its optional serial component.
 */
export type Epc =
  | { kind: 'sgtin'; gtin: string; serial: string }
  | { kind: 'sscc'; sscc: string }
  | { kind: 'sgln'; gln: string; extension?: string }
  | { kind: 'lgtin'; gtin: string; lot: string }
  | { kind: 'pgln'; gln: string }
  | { kind: 'grai'; grai: string; serial?: string }
  | { kind: 'gtin'; gtin: string };

function fail(rule: string, field?: string): Gs1Error {
  return new Gs1Error(Gs1ErrorCode.BAD_EPC_URI, rule, { field });
}

/** Characters the EPC Tag Data Standard requires to be %-escaped inside URN components. */
const URN_ESCAPES: Record<string, string> = { '"': '%22', '%': '%25', '&': '%26', '/': '%2F', '<': '%3C', '>': '%3E', '?': '%3F' };
const URN_UNESCAPES = new Map(Object.entries(URN_ESCAPES).map(([c, e]) => [e, c]));

function unescapeUrnComponent(text: string, field: string): string {
  return text.replace(/%(..)?/g, (match: string) => {
    const c = URN_UNESCAPES.get(match.toUpperCase());
    if (c === undefined) throw fail(`"${match}" is not one of the escapes %22 %25 %26 %2F %3C %3E %3F`, field);
    return c;
  });
}

export function escapeUrnComponent(text: string): string {
  return text.replace(/["%&/<>?]/g, (c) => URN_ESCAPES[c]);
}

/** Reassembles a key from URN parts: indicator/extension digit first, company prefix, rest of the reference, check digit. */
function keyFromParts(companyPrefix: string, reference: string, bodyLength: number, leadingDigit: boolean, field: string): string {
  if (!/^\d{6,12}$/.test(companyPrefix)) throw fail('company prefix must be 6-12 digits', 'companyPrefix');
  if (!/^\d*$/.test(reference)) throw fail(`${field} reference must be digits`, field);
  if (companyPrefix.length + reference.length !== bodyLength) {
    throw fail(`company prefix and ${field} reference must total ${bodyLength} digits`, field);
  }
  const body = leadingDigit ? reference[0] + companyPrefix + reference.slice(1) : companyPrefix + reference;
  return body + gs1CheckDigit(body);
}

function checked<T>(ai: string, value: string, build: () => T): T {
  try {
    validateAiValue(ai, value);
  } catch (err) {
    if (err instanceof Gs1Error) throw new Gs1Error(Gs1ErrorCode.BAD_EPC_URI, err.rule, { ai: err.ai, field: err.field });
    throw err;
  }
  return build();
}

function parseUrn(uri: string): Epc {
  const m = /^urn:epc:(id|class|idpat):([a-z]+):(.*)$/i.exec(uri);
  if (!m) throw fail('must start urn:epc:id:, urn:epc:class: or urn:epc:idpat:', 'uri');
  const [, type, scheme, body] = m;
  const form = `${type.toLowerCase()}:${scheme.toLowerCase()}`;
  const parts = (n: number): string[] => {
    const pieces = body.split('.');
    if (pieces.length < n) throw fail(`${form} needs ${n} dot-separated parts`, 'uri');
    return [...pieces.slice(0, n - 1), pieces.slice(n - 1).join('.')];
  };
  switch (form) {
    case 'id:sgtin': {
      const [cp, item, rawSerial] = parts(3);
      const gtin = keyFromParts(cp, item, 13, true, 'item');
      const serial = unescapeUrnComponent(rawSerial, 'serial');
      return checked('21', serial, () => ({ kind: 'sgtin', gtin, serial }));
    }
    case 'idpat:sgtin': {
      const [cp, item, serial] = parts(3);
      if (serial !== '*' || cp.includes('*') || item.includes('*')) {
        throw fail('only the whole-GTIN pattern CompanyPrefix.IndicatorItemRef.* can be mapped to an identifier', 'uri');
      }
      return { kind: 'gtin', gtin: keyFromParts(cp, item, 13, true, 'item') };
    }
    case 'class:lgtin': {
      const [cp, item, rawLot] = parts(3);
      const gtin = keyFromParts(cp, item, 13, true, 'item');
      const lot = unescapeUrnComponent(rawLot, 'lot');
      return checked('10', lot, () => ({ kind: 'lgtin', gtin, lot }));
    }
    case 'id:sscc': {
      const [cp, serialRef] = parts(2);
      return { kind: 'sscc', sscc: keyFromParts(cp, serialRef, 17, true, 'serial') };
    }
    case 'id:sgln': {
      const [cp, location, rawExtension] = parts(3);
      const gln = keyFromParts(cp, location, 12, false, 'location');
      const extension = unescapeUrnComponent(rawExtension, 'extension');
      if (extension === '0') return { kind: 'sgln', gln };
      return checked('254', extension, () => ({ kind: 'sgln', gln, extension }));
    }
    case 'id:pgln': {
      const [cp, party] = parts(2);
      return { kind: 'pgln', gln: keyFromParts(cp, party, 12, false, 'party') };
    }
    case 'id:grai': {
      const [cp, assetType, rawSerial] = parts(3);
      const grai = '0' + keyFromParts(cp, assetType, 12, false, 'assetType');
      const serial = unescapeUrnComponent(rawSerial, 'serial');
      if (serial === '') throw fail('GRAI EPC needs a serial', 'serial');
      return checked('8003', grai + serial, () => ({ kind: 'grai', grai, serial }));
    }
    default:
      throw fail(`EPC scheme ${form} is not supported`, 'uri');
  }
}

function fromDigitalLink(uri: string): Epc {
  const { elements, byAi } = parseDigitalLink(uri);
  const key = elements[0];
  switch (key.ai) {
    case '01':
      if (byAi['21'] !== undefined) return { kind: 'sgtin', gtin: key.value, serial: byAi['21'] };
      if (byAi['10'] !== undefined) return { kind: 'lgtin', gtin: key.value, lot: byAi['10'] };
      if (byAi['22'] !== undefined || byAi['235'] !== undefined) throw fail('GTIN with CPV or TPX but no serial or lot has no EPC form', 'path');
      return { kind: 'gtin', gtin: key.value };
    case '00':
      return { kind: 'sscc', sscc: key.value };
    case '414':
      if (byAi['7040'] !== undefined) throw fail('GLN with (7040) has no EPC form', 'path');
      // The Tag Data Standard writes "no extension" as 0, so (254) 0 and an absent (254) are the same SGLN.
      return byAi['254'] === undefined || byAi['254'] === '0' ? { kind: 'sgln', gln: key.value } : { kind: 'sgln', gln: key.value, extension: byAi['254'] };
    case '417':
      if (byAi['7040'] !== undefined) throw fail('party GLN with (7040) has no EPC form', 'path');
      return { kind: 'pgln', gln: key.value };
    case '8003':
      return key.value.length > 14 ? { kind: 'grai', grai: key.value.slice(0, 14), serial: key.value.slice(14) } : { kind: 'grai', grai: key.value };
    default:
      throw fail(`primary key (${key.ai}) has no supported EPC kind`, 'path');
  }
}

/** Parses an EPC pure-identity URN (or class/pattern URN) or a GS1 Digital Link URI; check digits are verified. */
export function parseEpc(uri: string): Epc {
  if (typeof uri !== 'string') throw fail('must be a string', 'uri');
  const text = uri.trim();
  if (/^urn:/i.test(text)) return parseUrn(text);
  if (/^https?:\/\//i.test(text)) return fromDigitalLink(text);
  throw fail('must be an EPC URN (urn:epc:…) or a GS1 Digital Link URI (http(s)://…)', 'uri');
}

/** The Digital Link URI for an EPC; on `https://id.gs1.org` this is the canonical form used for storage and lookups. */
export function epcToDigitalLink(epc: Epc, domain: string = DEFAULT_DIGITAL_LINK_DOMAIN): string {
  const base = domain.replace(/\/+$/, '');
  const v = encodeDigitalLinkValue;
  switch (epc.kind) {
    case 'sgtin':
      return `${base}/01/${toGtin14(epc.gtin)}/21/${v(epc.serial)}`;
    case 'lgtin':
      return `${base}/01/${toGtin14(epc.gtin)}/10/${v(epc.lot)}`;
    case 'gtin':
      return `${base}/01/${toGtin14(epc.gtin)}`;
    case 'sscc':
      return `${base}/00/${epc.sscc}`;
    case 'sgln':
      return `${base}/414/${epc.gln}${epc.extension === undefined ? '' : `/254/${v(epc.extension)}`}`;
    case 'pgln':
      return `${base}/417/${epc.gln}`;
    case 'grai':
      return `${base}/8003/${epc.grai}${v(epc.serial ?? '')}`;
  }
}

/** One canonical string per identifier, whatever syntax it arrived in: the Digital Link URI on https://id.gs1.org. */
export function canonicalEpc(uri: string): string {
  return epcToDigitalLink(parseEpc(uri));
}

function checkPrefixLength(companyPrefixLength: number): void {
  if (!Number.isInteger(companyPrefixLength) || companyPrefixLength < 6 || companyPrefixLength > 12) {
    throw fail('company prefix length must be an integer 6-12', 'companyPrefixLength');
  }
}

/** The EPC URN of `epc`; URNs split the key at the company prefix, so its length must be given. */
export function epcToUrn(epc: Epc, companyPrefixLength: number): string {
  checkPrefixLength(companyPrefixLength);
  const L = companyPrefixLength;
  const gtinParts = (gtin: string) => {
    const g = toGtin14(gtin);
    return `${g.slice(1, 1 + L)}.${g[0]}${g.slice(1 + L, 13)}`;
  };
  const glnParts = (gln: string) => {
    assertGs1Key(gln, [13], 'gln');
    return `${gln.slice(0, L)}.${gln.slice(L, 12)}`;
  };
  switch (epc.kind) {
    case 'sgtin':
      return `urn:epc:id:sgtin:${gtinParts(epc.gtin)}.${escapeUrnComponent(epc.serial)}`;
    case 'lgtin':
      return `urn:epc:class:lgtin:${gtinParts(epc.gtin)}.${escapeUrnComponent(epc.lot)}`;
    case 'gtin':
      return `urn:epc:idpat:sgtin:${gtinParts(epc.gtin)}.*`;
    case 'sscc':
      assertGs1Key(epc.sscc, [18], 'sscc', '00');
      return `urn:epc:id:sscc:${epc.sscc.slice(1, 1 + L)}.${epc.sscc[0]}${epc.sscc.slice(1 + L, 17)}`;
    case 'sgln':
      return `urn:epc:id:sgln:${glnParts(epc.gln)}.${escapeUrnComponent(epc.extension ?? '0')}`;
    case 'pgln':
      return `urn:epc:id:pgln:${glnParts(epc.gln)}`;
    case 'grai':
      if (!epc.serial) throw fail('a GRAI without serial has no EPC URN', 'serial');
      return `urn:epc:id:grai:${glnParts(epc.grai.slice(1))}.${escapeUrnComponent(epc.serial)}`;
  }
}

export function gtinToSgtinUrn(gtin: string, serial: string, companyPrefixLength: number): string {
  validateAiValue('21', serial);
  return epcToUrn({ kind: 'sgtin', gtin, serial }, companyPrefixLength);
}

/**
 * Length of the registered GS1 Company Prefix inside a GTIN (8/12/13/14 digits) or SSCC (18 digits):
 * the longest of `knownPrefixes` that the key's company-prefix position starts with.
 */
export function companyPrefixLengthFor(gtinOrSscc: string, knownPrefixes: readonly string[]): number {
  const digits = gtinOrSscc.length === 18 ? (assertGs1Key(gtinOrSscc, [18], 'sscc', '00'), gtinOrSscc) : toGtin14(gtinOrSscc);
  const afterLeadingDigit = digits.slice(1);
  let best = 0;
  for (const prefix of knownPrefixes) {
    if (prefix.length >= 6 && prefix.length <= 12 && /^\d+$/.test(prefix) && afterLeadingDigit.startsWith(prefix)) best = Math.max(best, prefix.length);
  }
  if (best === 0) {
    throw new Gs1Error(Gs1ErrorCode.UNKNOWN_COMPANY_PREFIX, `no known GS1 Company Prefix matches ${gtinOrSscc}`, { field: 'companyPrefix' });
  }
  return best;
}
