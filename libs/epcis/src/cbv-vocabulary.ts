/**
 * The CBV vocabularies that EPCIS XML writes as URNs (`urn:epcglobal:cbv:bizstep:shipping`) and EPCIS 2.0
 * JSON-LD writes as bare terms (`shipping`), which the JSON-LD context expands to the web URI form.
 */
export interface CbvVocabulary {
  urn: string;
  web: string;
}

export const CBV = {
  bizStep: { urn: 'urn:epcglobal:cbv:bizstep:', web: 'https://ref.gs1.org/cbv/BizStep-' },
  disposition: { urn: 'urn:epcglobal:cbv:disp:', web: 'https://ref.gs1.org/cbv/Disp-' },
  bizTransactionType: { urn: 'urn:epcglobal:cbv:btt:', web: 'https://ref.gs1.org/cbv/BTT-' },
  sourceDestType: { urn: 'urn:epcglobal:cbv:sdt:', web: 'https://ref.gs1.org/cbv/SDT-' },
  errorReason: { urn: 'urn:epcglobal:cbv:er:', web: 'https://ref.gs1.org/cbv/ER-' },
} as const satisfies Record<string, CbvVocabulary>;

const TERM = /^[A-Za-z0-9_.-]+$/;

/** CBV URN or web URI → bare term; any other value (a user vocabulary URI) stays as written. */
export function bareTerm(value: string, vocabulary: CbvVocabulary): string {
  for (const prefix of [vocabulary.urn, vocabulary.web]) {
    if (value.startsWith(prefix) && TERM.test(value.slice(prefix.length))) return value.slice(prefix.length);
  }
  return value;
}
