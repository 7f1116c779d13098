/**
 * Which optional parts of the verification API this server has, read once from its schema: the page asks only
 * for fields that exist, so it works against older and newer servers alike.
 */
export interface ServerCapabilities {
  /** Optional scalar fields of Verdict present on this server. */
  verdict: string[];
  /** Optional fields of Product present on this server. */
  product: string[];
  /** Fields of Verdict.correction present on this server; empty when it has no correction. */
  correction: string[];
  /** Mutations taking the scanned `code` and answering the pack's new Verdict. */
  mutations: PackMutation[];
}

export type PackMutation = 'dispense' | 'undoDispense';
const PACK_MUTATIONS: PackMutation[] = ['dispense', 'undoDispense'];

const OPTIONAL_VERDICT = ['nmvsCode', 'ambiguousReadings'];
const OPTIONAL_PRODUCT = ['name'];
const CORRECTION = ['kind', 'advice', 'description', 'corrected'];

/** What the page may rely on when the schema cannot be read (introspection off): the fields every server has. */
export const BASELINE: ServerCapabilities = { verdict: [], product: [], correction: [], mutations: [] };

export const CAPABILITIES_QUERY = `query Capabilities {
  verdict: __type(name: "Verdict") { fields { name type { fields { name } ofType { fields { name } } } } }
  schema: __schema { mutationType { fields { name args { name } type { name ofType { name } } } } }
}`;

interface FieldList {
  fields?: { name: string; type?: { fields?: { name: string }[] | null; ofType?: { fields?: { name: string }[] | null } | null } }[] | null;
}

interface MutationList {
  fields?: { name: string; args?: { name: string }[]; type?: { name?: string | null; ofType?: { name?: string | null } | null } }[] | null;
}

export interface CapabilitiesResult {
  verdict: FieldList | null;
  schema: { mutationType: MutationList | null };
}

function packMutations(type: MutationList | null): PackMutation[] {
  const fits = (name: string) =>
    (type?.fields ?? []).some(
      (f) => f.name === name && (f.args ?? []).some((a) => a.name === 'code') && (f.type?.name ?? f.type?.ofType?.name) === 'Verdict',
    );
  return PACK_MUTATIONS.filter(fits);
}

function subfields(type: FieldList | null, field: string, wanted: string[]): string[] {
  const f = type?.fields?.find((x) => x.name === field);
  const names = new Set((f?.type?.fields ?? f?.type?.ofType?.fields ?? []).map((x) => x.name));
  return wanted.filter((w) => names.has(w));
}

export function capabilitiesFrom(result: CapabilitiesResult): ServerCapabilities {
  const verdictFields = new Set((result.verdict?.fields ?? []).map((f) => f.name));
  return {
    verdict: OPTIONAL_VERDICT.filter((f) => verdictFields.has(f)),
    product: subfields(result.verdict, 'product', OPTIONAL_PRODUCT),
    correction: subfields(result.verdict, 'correction', CORRECTION),
    mutations: packMutations(result.schema.mutationType),
  };
}

function verdictSelection(caps: ServerCapabilities): string {
  const product = ['gtin', 'serial', 'lot', 'expiry', ...caps.product].join(' ');
  const correction = caps.correction.length ? ` correction { ${caps.correction.join(' ')} }` : '';
  const optional = caps.verdict.map((f) => ` ${f}`).join('');
  return `status saleable alerts epc product { ${product} } custodian { name gln } container anchored checkedOnChain${optional}${correction}`;
}

export const verifyQuery = (caps: ServerCapabilities) =>
  `query Verify($code: String!) { verify(code: $code) { ${verdictSelection(caps)} } }`;

export const packMutation = (name: PackMutation, caps: ServerCapabilities) =>
  `mutation Change($code: String!) { ${name}(code: $code) { ${verdictSelection(caps)} } }`;
