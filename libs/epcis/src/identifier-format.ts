/**
 * The REST binding's format negotiation of served events (GS1-EPC-Format, GS1-CBV-XML-Format): identifiers written as
 * GS1 Digital Links or EPC URNs, CBV values as web URIs or URNs. A served event must still rehash to its stored CBV 2.0
 * hash, which canonicalises every spelling of an identifier to one Digital Link (and every CBV URN to its web URI), so
 * an identifier is only ever replaced by a spelling with the same canonical form; any other is served as stored.
 */
import { canonicalDigitalLink } from 'pharmatrace-verify/cbv';
import {
  companyPrefixCandidates,
  type CompanyPrefixes,
  type Epc,
  epcToDigitalLink,
  epcToUrn,
  Gs1Error,
  longestCompanyPrefix,
  parseEpc,
} from '@pharmatrace/gs1';
import { bareTerm, type CbvVocabulary } from './cbv-vocabulary';

/** GS1-EPC-Format values, as the binding names them. */
export const EPC_FORMATS = ['No_Preference', 'Always_GS1_Digital_Link', 'Always_EPC_URN', 'Never_Translates'] as const;
export type EpcFormat = (typeof EPC_FORMATS)[number];

/** GS1-CBV-XML-Format values, as the binding names them. */
export const CBV_XML_FORMATS = ['No_Preference', 'Always_Web_URI', 'Always_URN', 'Never_Translates'] as const;
export type CbvXmlFormat = (typeof CBV_XML_FORMATS)[number];

type Json = Record<string, unknown>;

const EPC_LISTS = ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList'];
const QUANTITY_LISTS = ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'];
const LOCATIONS = ['readPoint', 'bizLocation'];
const PARTIES: [list: string, field: string][] = [
  ['sourceList', 'source'],
  ['destinationList', 'destination'],
];

const isRecord = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);

/** Digits of an EPC's GS1 key from where its company prefix starts (after any indicator or padding digit). */
function prefixedDigits(epc: Epc): string | null {
  switch (epc.kind) {
    case 'sgtin':
    case 'lgtin':
    case 'gtin':
    case 'upui':
      return epc.gtin.padStart(14, '0').slice(1);
    case 'itip':
      return epc.itip.slice(1);
    case 'sscc':
      return epc.sscc.slice(1);
    case 'sgln':
    case 'pgln':
      return epc.gln;
    case 'grai':
      return epc.grai.slice(1);
    case 'gdti':
      return epc.gdti;
    case 'sgcn':
      return epc.gcn;
    case 'giai':
      return epc.giai;
    case 'ginc':
      return epc.ginc;
    case 'gsrn':
      return epc.gsrn;
    case 'gsrnp':
      return epc.gsrnp;
    case 'gsin':
      return epc.gsin;
    case 'cpi':
      return epc.cpid;
  }
}

/**
 * The length of the registered company prefix in an EPC's key: the longest of `companyPrefixes` its key starts with, or
 * null when none does. A Digital Link does not say where its company prefix ends, and a guess would write another URN.
 */
export function companyPrefixLength(epc: Epc, companyPrefixes: CompanyPrefixes): number | null {
  const digits = prefixedDigits(epc);
  return digits === null ? null : longestCompanyPrefix(digits, companyPrefixes) || null;
}

/** What became of one identifier: its spelling to serve, and whether the spelling asked for could not be given. */
export interface TranslatedIdentifier {
  value: string;
  untranslated: boolean;
}

/**
 * `value` as a GS1 Digital Link (`dl`) or an EPC URN (`urn`). Values that name no GS1 key (a user URI, a GLN-less
 * location) and spellings already in the target syntax are served as written; a Digital Link becomes a URN only when
 * `companyPrefixes` says where its company prefix ends, else it is reported `untranslated`.
 */
export function translateIdentifier(value: string, target: 'dl' | 'urn', companyPrefixes: CompanyPrefixes): TranslatedIdentifier {
  const kept = (untranslated: boolean): TranslatedIdentifier => ({ value, untranslated });
  const canonical = canonicalDigitalLink(value);
  if (canonical === null) return kept(false);
  const isUrn = /^urn:/i.test(value);
  if ((target === 'urn') === isUrn) return kept(false);
  let epc: Epc;
  try {
    epc = parseEpc(value);
  } catch (e) {
    if (e instanceof Gs1Error) return kept(target === 'urn');
    throw e;
  }
  let candidate: string;
  if (target === 'dl') {
    candidate = epcToDigitalLink(epc);
  } else {
    const length = companyPrefixLength(epc, companyPrefixes);
    if (length === null) return kept(true);
    try {
      candidate = epcToUrn(epc, length);
    } catch (e) {
      if (e instanceof Gs1Error) return kept(true);
      throw e;
    }
  }
  // The hash sees only the canonical form: a spelling that would change it is never served.
  return canonicalDigitalLink(candidate) === canonical ? { value: candidate, untranslated: false } : kept(target === 'urn');
}

/** An event served in a GS1-EPC-Format, with the identifiers that could not be written in it. */
export interface EpcFormatted {
  event: Json;
  untranslated: string[];
}

/**
 * The event's identifiers (EPC lists, parentID, quantity classes, readPoint and bizLocation ids, sources and
 * destinations) in `format`. `No_Preference` and `Never_Translates` serve them as captured; the event is not copied then.
 * As EPC URNs, `companyPrefixes` needs the registered prefixes among companyPrefixCandidatesOf's.
 */
export function formatEventEpcs(event: Json, format: EpcFormat, companyPrefixes: CompanyPrefixes = new Set()): EpcFormatted {
  if (format === 'No_Preference' || format === 'Never_Translates') return { event, untranslated: [] };
  const target = format === 'Always_EPC_URN' ? 'urn' : 'dl';
  const untranslated: string[] = [];
  const out = mapIdentifiers(event, (value) => {
    const translated = translateIdentifier(value, target, companyPrefixes);
    if (translated.untranslated) untranslated.push(value);
    return translated.value;
  });
  return { event: out, untranslated };
}

/**
 * The company prefixes that serving `event` as EPC URNs could need (companyPrefixCandidates of each Digital Link
 * identifier's key): a few per identifier, so the registered ones are read by key rather than all of them.
 */
export function companyPrefixCandidatesOf(event: Json): string[] {
  const candidates: string[] = [];
  mapIdentifiers(event, (value) => {
    // URNs say their prefix's length already; a value naming no GS1 key fails to parse.
    if (/^urn:/i.test(value)) return value;
    try {
      const digits = prefixedDigits(parseEpc(value));
      if (digits !== null) candidates.push(...companyPrefixCandidates(digits));
    } catch (e) {
      if (!(e instanceof Gs1Error)) throw e;
    }
    return value;
  });
  return candidates;
}

/** A copy of the event with `id` applied to each identifier that is a string (formatEventEpcs lists where they are). */
function mapIdentifiers(event: Json, id: (value: string) => string): Json {
  const each = (value: unknown): unknown => (typeof value === 'string' ? id(value) : value);
  const out: Json = { ...event };
  for (const key of EPC_LISTS) if (Array.isArray(out[key])) out[key] = (out[key] as unknown[]).map(each);
  if (out.parentID !== undefined) out.parentID = each(out.parentID);
  for (const key of QUANTITY_LISTS) {
    if (Array.isArray(out[key])) {
      out[key] = (out[key] as unknown[]).map((q) => (isRecord(q) && q.epcClass !== undefined ? { ...q, epcClass: each(q.epcClass) } : q));
    }
  }
  for (const key of LOCATIONS)
    if (isRecord(out[key]) && (out[key] as Json).id !== undefined) out[key] = { ...(out[key] as Json), id: each((out[key] as Json).id) };
  for (const [list, field] of PARTIES) {
    if (Array.isArray(out[list])) {
      out[list] = (out[list] as unknown[]).map((p) => (isRecord(p) && p[field] !== undefined ? { ...p, [field]: each(p[field]) } : p));
    }
  }
  return out;
}

/** How an XML answer writes CBV values: `urn` (urn:epcglobal:cbv:…), `web` (https://ref.gs1.org/cbv/…), or `asStored`. */
export type CbvValueForm = 'urn' | 'web' | 'asStored';

/** The GS1-CBV-XML-Format a request asked for, as the form written and the header value that says so. */
export function cbvXmlForm(format: CbvXmlFormat): { form: CbvValueForm; answered: CbvXmlFormat } {
  if (format === 'Always_Web_URI') return { form: 'web', answered: 'Always_Web_URI' };
  if (format === 'Never_Translates') return { form: 'asStored', answered: 'Never_Translates' };
  // No preference: the URNs every EPCIS 1.2 partner reads, as the XML binding has always written them.
  return { form: 'urn', answered: 'Always_URN' };
}

/**
 * A CBV value of `vocabulary` in `form`. A bare term (the JSON-LD form, which has no spelling of its own in XML) is written
 * as its URN when kept as stored; user vocabulary URIs are never rewritten.
 */
export function cbvValue(value: string, vocabulary: CbvVocabulary, form: CbvValueForm): string {
  const term = bareTerm(value, vocabulary);
  if (term === value && !/^[A-Za-z0-9_.-]+$/.test(value)) return value;
  if (form === 'asStored' && term !== value) return value;
  return form === 'web' ? vocabulary.web + term : vocabulary.urn + term;
}
