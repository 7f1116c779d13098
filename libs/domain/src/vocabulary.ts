/**
 * CBV 2.0 vocabulary values (business steps, dispositions, business transaction, source/destination types, error
 * reasons) arrive in four spellings: the bare word of EPCIS 2.0 JSON-LD ("shipping"), the CBV 1.x URN
 * ("urn:epcglobal:cbv:bizstep:shipping"), the GS1 Web URI ("https://ref.gs1.org/cbv/BizStep-shipping") and the
 * compact IRI the JSON-LD context expands to it ("cbv:BizStep-shipping"). This is the one place they become one
 * canonical form, the bare word: capture facts are built from it, so no rule, check or query reads a raw spelling.
 * Any other value (a vocabulary of one's own, such as the exporting step) stays as written.
 */
const TYPES = '(bizstep|disp|btt|sdt|er)';
const TERM = '([a-z0-9_.-]+)';
// Case-insensitive: a spelling a rule would not recognise must not slip past it while a reader still sees the step.
const URN = new RegExp(`^urn:epcglobal:cbv:${TYPES}:${TERM}$`, 'i');
const WEB = new RegExp(`^https?://(?:www\\.)?ref\\.gs1\\.org/cbv/${TYPES}-${TERM}$`, 'i');
const CURIE = new RegExp(`^cbv:${TYPES}-${TERM}$`, 'i');
const BARE = new RegExp(`^${TERM}$`, 'i');

/** Already the canonical form: what capture facts hold, so what the rules ask about most (one test, not four). */
const SHORT = /^[a-z0-9_.-]+$/;

export function cbvShortName(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  if (SHORT.test(value)) return value;
  const trimmed = value.trim();
  if (!trimmed) return null;
  const term = (URN.exec(trimmed) ?? WEB.exec(trimmed) ?? CURIE.exec(trimmed))?.[2] ?? BARE.exec(trimmed)?.[1];
  return term ? term.toLowerCase() : trimmed;
}
