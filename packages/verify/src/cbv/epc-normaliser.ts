/**
 * Canonicalises every URI form of a GS1 key (EPC URI, EPC class URI, EPC ID pattern URI, GS1 Digital
 * Link on any domain) into the constrained canonical Digital Link the CBV 2.0 event hash uses: domain
 * id.gs1.org, numeric AIs, GTIN padded to 14 digits, no query string, no CPV, lot dropped when a serial
 * is present. Mirrors the reference implementation's dl_normaliser, including which inputs it leaves alone.
 */
import { gs1CheckDigit } from './check-digit';

/** One character of an EPC URI component (GS1 AI encodable character set 82, percent-escaped where needed). */
const EPC_CHAR = String.raw`(?:%2[125-9A-Fa-f]|%3[0-9A-Fa-f]|%4[1-9A-Fa-f]|%5[0-9AaFf]|%6[1-9A-Fa-f]|%7[0-9Aa]|[!')(*+,.0-9:;=A-Za-z_-])`;
/** One character of a CPI component (character set 39). */
const CPI_CHAR = String.raw`(?:%2[3dfDF]|%3[0-9]|%4[1-9A-Fa-f]|%5[0-9Aa]|[0-9A-Z-])`;
/** Characters allowed in the canonical Digital Link output (the reference's final syntax check). */
const DL_CHAR = String.raw`[\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]`;

const withCheckDigit = (digits: string): string => digits + gs1CheckDigit(digits);

/** GS1 company prefix (6–12 digits), a dot, then a numeric reference so that both add up to `total` digits. */
function cpAndRef(total: number): string {
  const alternatives: string[] = [];
  for (let cp = 6; cp <= 12; cp++) alternatives.push(String.raw`\d{${cp}}\.\d{${total - cp}}`);
  return `(${alternatives.join('|')})`;
}

/** Company prefix, a dot, then a variable-length reference so that both add up to at most `total` characters. */
function cpAndVariable(total: number, char: string): string {
  const alternatives: string[] = [];
  for (let cp = 6; cp <= 12; cp++) alternatives.push(String.raw`\d{${cp}}\.${char}{1,${total - cp}}`);
  return `(${alternatives.join('|')})`;
}

/** Percent-encodes what GS1 Digital Link requires but an EPC URI may carry unescaped (DL table 7-1). */
function dlEncode(component: string): string {
  return component
    .replace(/!/g, '%21')
    .replace(/\(/g, '%28')
    .replace(/\)/g, '%29')
    .replace(/\*/g, '%2A')
    .replace(/\+/g, '%2B')
    .replace(/,/g, '%2C')
    .replace(/:/g, '%3A');
}

const split = (pair: string): [string, string] => {
  const dot = pair.indexOf('.');
  return [pair.slice(0, dot), pair.slice(dot + 1)];
};

/** GTIN-13 body of an SGTIN-style "cp.itemref": indicator digit first, then company prefix and item reference. */
const gtinOf = (cp: string, itemRef: string): string => withCheckDigit(itemRef.slice(0, 1) + cp + itemRef.slice(1));

const DL = 'https://id.gs1.org';

type UrnRule = [RegExp, (m: RegExpMatchArray) => string];

const URN_RULES: UrnRule[] = [
  [
    new RegExp(`^urn:epc:id:sgtin:${cpAndRef(13)}\\.(${EPC_CHAR}{1,20})$`),
    (m) => {
      const [cp, ref] = split(m[1]);
      return `${DL}/01/${gtinOf(cp, ref)}/21/${dlEncode(m[2])}`;
    },
  ],
  [
    new RegExp(`^urn:epc:id:sscc:${cpAndRef(17)}$`),
    (m) => {
      const [cp, ref] = split(m[1]);
      return `${DL}/00/${withCheckDigit(ref.slice(0, 1) + cp + ref.slice(1))}`;
    },
  ],
  [
    new RegExp(`^urn:epc:id:sgln:${cpAndRef(12)}\\.(${EPC_CHAR}{1,20})$`),
    (m) => {
      const gln = withCheckDigit(m[1].replace('.', ''));
      return m[2] === '0' ? `${DL}/414/${gln}` : `${DL}/414/${gln}/254/${dlEncode(m[2])}`;
    },
  ],
  [
    new RegExp(`^urn:epc:id:grai:${cpAndRef(12)}\\.(${EPC_CHAR}{1,16})$`),
    (m) => `${DL}/8003/${withCheckDigit('0' + m[1].replace('.', ''))}${dlEncode(m[2])}`,
  ],
  [
    new RegExp(`^urn:epc:id:giai:${cpAndVariable(30, EPC_CHAR)}$`),
    (m) => {
      const [cp, ref] = split(m[1]);
      return `${DL}/8004/${cp}${dlEncode(ref)}`;
    },
  ],
  [new RegExp(`^urn:epc:id:gsrn:${cpAndRef(17)}$`), (m) => `${DL}/8018/${withCheckDigit(m[1].replace('.', ''))}`],
  [new RegExp(`^urn:epc:id:gsrnp:${cpAndRef(17)}$`), (m) => `${DL}/8017/${withCheckDigit(m[1].replace('.', ''))}`],
  [
    new RegExp(`^urn:epc:id:gdti:${cpAndRef(12)}\\.(${EPC_CHAR}{1,17})$`),
    (m) => `${DL}/253/${withCheckDigit(m[1].replace('.', ''))}${dlEncode(m[2])}`,
  ],
  [
    new RegExp(`^urn:epc:id:cpi:${cpAndVariable(30, CPI_CHAR)}\\.(\\d{1,12})$`),
    (m) => `${DL}/8010/${dlEncode(m[1].replace('.', ''))}/8011/${m[2]}`,
  ],
  [new RegExp(`^urn:epc:id:sgcn:${cpAndRef(12)}\\.(\\d{1,12})$`), (m) => `${DL}/255/${withCheckDigit(m[1].replace('.', ''))}${m[2]}`],
  [
    new RegExp(`^urn:epc:id:ginc:${cpAndVariable(30, EPC_CHAR)}$`),
    (m) => {
      const [cp, ref] = split(m[1]);
      return `${DL}/401/${cp}${dlEncode(ref)}`;
    },
  ],
  [new RegExp(`^urn:epc:id:gsin:${cpAndRef(16)}$`), (m) => `${DL}/402/${withCheckDigit(m[1].replace('.', ''))}`],
  [
    new RegExp(`^urn:epc:id:itip:${cpAndRef(13)}\\.(\\d{2})\\.(\\d{2})\\.(${EPC_CHAR}{1,20})$`),
    (m) => {
      const [cp, ref] = split(m[1]);
      return `${DL}/8006/${gtinOf(cp, ref)}${m[2]}${m[3]}/21/${dlEncode(m[4])}`;
    },
  ],
  [
    new RegExp(`^urn:epc:id:upui:${cpAndRef(13)}\\.(${EPC_CHAR}{1,28})$`),
    (m) => {
      const [cp, ref] = split(m[1]);
      return `${DL}/01/${gtinOf(cp, ref)}/235/${dlEncode(m[2])}`;
    },
  ],
  [new RegExp(`^urn:epc:id:pgln:${cpAndRef(12)}$`), (m) => `${DL}/417/${withCheckDigit(m[1].replace('.', ''))}`],
  [
    new RegExp(`^urn:epc:class:lgtin:${cpAndRef(13)}\\.(${EPC_CHAR}{1,20})$`),
    (m) => {
      const [cp, ref] = split(m[1]);
      return `${DL}/01/${gtinOf(cp, ref)}/10/${dlEncode(m[2])}`;
    },
  ],
  [
    new RegExp(`^urn:epc:idpat:sgtin:${cpAndRef(13)}\\.\\*$`),
    (m) => {
      const [cp, ref] = split(m[1]);
      return `${DL}/01/${gtinOf(cp, ref)}`;
    },
  ],
  [new RegExp(`^urn:epc:idpat:grai:${cpAndRef(12)}\\.\\*$`), (m) => `${DL}/8003/${withCheckDigit('0' + m[1].replace('.', ''))}`],
  [new RegExp(`^urn:epc:idpat:gdti:${cpAndRef(12)}\\.\\*$`), (m) => `${DL}/253/${withCheckDigit(m[1].replace('.', ''))}`],
  [new RegExp(`^urn:epc:idpat:sgcn:${cpAndRef(12)}\\.\\*$`), (m) => `${DL}/255/${withCheckDigit(m[1].replace('.', ''))}`],
  [new RegExp(`^urn:epc:idpat:cpi:${cpAndVariable(30, CPI_CHAR)}\\.\\*$`), (m) => `${DL}/8010/${dlEncode(m[1].replace('.', ''))}`],
  [
    new RegExp(`^urn:epc:idpat:itip:${cpAndRef(13)}\\.(\\d{2})\\.(\\d{2})\\.\\*$`),
    (m) => {
      const [cp, ref] = split(m[1]);
      return `${DL}/8006/${gtinOf(cp, ref)}${m[2]}${m[3]}`;
    },
  ],
  [
    new RegExp(`^urn:epc:idpat:upui:${cpAndRef(13)}\\.\\*$`),
    (m) => {
      const [cp, ref] = split(m[1]);
      return `${DL}/01/${gtinOf(cp, ref)}`;
    },
  ],
];

const DL_KEYS =
  '01|gtin|8006|itip|8010|cpid|414|gln|417|party|8017|gsrnp|8018|gsrn|255|gcn|00|sscc|253|gdti|401|ginc|402|gsin|8003|grai|8004|giai';
/** Anchored at the start only, like Python's re.match in the reference. */
const DL_URI = new RegExp(
  String.raw`^https?:(\/\/((([^\/?#]*)@)?([^\/?#:]*)(:([^\/?#]*))?))?((([^?#]*)(\/(${DL_KEYS})\/)(\d{4}[^\/]+)(\/[^/]+\/[^/]+)?[/]?(\?([^?\n]*))?(#([^\n]*))?)|(\/[A-Za-z_-]{10}$))`,
);
/** Both alternatives anchored at the start, as re.match does in the reference. */
// The reference implementation's expression, kept character for character (escapes included) so the two can be diffed.
const CANONICAL_DOMAIN =
  // eslint-disable-next-line no-useless-escape
  /^(?:https:\/\/id.gs1.org\/(01|8006|8010|414|417|8017|8018|255|00|253|401|402|8003|8004)\/(\d{4}[^\/]+)(\/[^\/]+\/[^\/]+)?[\/]?(\?([^?\n]*))?(#([^\n]*))?|(\/[A-Za-z_-]{10}$))/;
const SHORT_NAMES: [string, string][] = [
  ['/gtin/', '/01/'],
  ['/itip/', '/8006/'],
  ['/cpid/', '/8010/'],
  ['/gln/', '/414/'],
  ['/party/', '/417/'],
  ['/gsrnp/', '/8017/'],
  ['/gsrn/', '/8018/'],
  ['/gcn/', '/255/'],
  ['/sscc/', '/00/'],
  ['/gdti/', '/253/'],
  ['/ginc/', '/401/'],
  ['/gsin/', '/402/'],
  ['/grai/', '/8003/'],
  ['/giai/', '/8004/'],
  ['/cpv/', '/22/'],
  ['/lot/', '/10/'],
  ['/ser/', '/21/'],
];
/** Whether any short name occurs: most URIs hold none, and then the reference's split-and-join pass changes nothing. */
const SHORT_NAME_IN = new RegExp(SHORT_NAMES.map(([short]) => short).join('|'));
/** Order in which the reference looks for the primary key when moving a URI to id.gs1.org. */
const PRIMARY_KEYS = ['00', '01', '253', '255', '401', '402', '414', '417', '8003', '8004', '8006', '8010', '8017', '8018'];
const CPV_ONLY = new RegExp(String.raw`^https:\/\/id.gs1.org\/(?:8006\/\d{18}|01\/\d{14})\/22\/(${DL_CHAR}{0,20})$`);
const CPV_THEN_MORE = new RegExp(
  String.raw`^https:\/\/id.gs1.org\/(?:8006\/\d{18}|01\/\d{14})\/22\/([\x2F\x22\x27\x2D\x2E\x30-\x39\x3B-\x3F\x41-\x5A\x5F\x61-\x7A]{0,20})$`,
);
const LOT_AND_SERIAL = new RegExp(
  String.raw`^https:\/\/id.gs1.org\/(?:8006\/\d{18}|01\/\d{14})\/10\/(${DL_CHAR}{0,20})\/21\/(${DL_CHAR}{0,20})$`,
);
const CANONICAL_FORMS: RegExp[] = [
  String.raw`00\/\d{18}`,
  String.raw`01\/\d{14}\/21\/${DL_CHAR}{0,20}`,
  String.raw`01\/\d{14}\/10\/${DL_CHAR}{0,20}`,
  String.raw`01\/\d{14}`,
  String.raw`01\/\d{14}\/235\/${DL_CHAR}{0,28}`,
  String.raw`253\/\d{13}${DL_CHAR}{0,17}`,
  String.raw`255\/\d{13}\d{0,12}`,
  String.raw`401\/${DL_CHAR}{0,30}`,
  String.raw`402\/\d{17}`,
  String.raw`414\/\d{13}`,
  String.raw`414\/\d{13}\/254\/${DL_CHAR}{0,20}`,
  String.raw`417\/\d{13}`,
  String.raw`8003\/\d{14}${DL_CHAR}{0,16}`,
  String.raw`8004\/${DL_CHAR}{0,30}`,
  String.raw`8006\/\d{18}\/21\/${DL_CHAR}{0,20}`,
  String.raw`8006\/\d{18}\/10\/${DL_CHAR}{0,20}`,
  String.raw`8006\/\d{18}`,
  String.raw`8010\/[\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30}\/8011\/\d{0,12}`,
  String.raw`8010\/[\x23\x2D\x2F\x30-\x39\x41-\x5A]{0,30}`,
  String.raw`8017\/\d{18}`,
  String.raw`8018\/\d{18}`,
].map((form) => new RegExp(String.raw`^https:\/\/id.gs1.org\/${form}$`));

function normaliseDigitalLink(input: string): string | null {
  if (!DL_URI.test(input)) return null;
  let uri = input;
  const query = uri.indexOf('?');
  if (query >= 0) uri = uri.slice(0, query);
  if (SHORT_NAME_IN.test(uri)) for (const [short, ai] of SHORT_NAMES) uri = uri.split(short).join(ai);

  if (!CANONICAL_DOMAIN.test(uri)) {
    for (const ai of PRIMARY_KEYS) {
      const at = uri.indexOf(`/${ai}/`);
      if (at !== -1) {
        uri = DL + uri.slice(at);
        break;
      }
    }
  }

  const gtin = /^https:\/\/id.gs1.org\/01\/(\d*)/.exec(uri);
  if (gtin && gtin[1].length < 14) {
    const pad = gtin[1].length >= 13 ? '0' : gtin[1].length >= 12 ? '00' : gtin[1].length >= 8 ? '000000' : '';
    uri = uri.split('/01/').join(`/01/${pad}`);
  }

  const cpv = uri.indexOf('/22/');
  if (cpv !== -1) {
    const afterCpv = uri.slice(cpv + 4);
    if (CPV_ONLY.test(uri)) uri = uri.slice(0, cpv);
    else if (CPV_THEN_MORE.test(uri)) uri = uri.slice(0, cpv) + afterCpv.slice(afterCpv.indexOf('/'));
  }

  if (LOT_AND_SERIAL.test(uri)) {
    const lot = uri.indexOf('/10/');
    const afterLot = uri.slice(lot + 4);
    uri = uri.slice(0, lot) + afterLot.slice(afterLot.indexOf('/'));
  }

  return CANONICAL_FORMS.some((form) => form.test(uri)) ? uri : null;
}

/**
 * The canonical GS1 Digital Link for `uri`, or null when it names no GS1 key the algorithm recognises
 * (the caller then keeps the value as it is).
 */
export function canonicalDigitalLink(uri: string): string | null {
  if (uri.startsWith('urn:epc:')) {
    for (const [pattern, convert] of URN_RULES) {
      const match = pattern.exec(uri);
      if (match) return convert(match);
    }
    return null;
  }
  return uri.startsWith('http') ? normaliseDigitalLink(uri) : null;
}
