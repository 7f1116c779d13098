import { EPCIS_CONTEXT } from '@pharmatrace/epcis';
import { standardsDir } from '@pharmatrace/gs1';
import jsonld from 'jsonld';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * An independent JSON-LD 1.1 processor (jsonld.js, Digital Bazaar) to judge what we serve: it refuses a document that
 * rebinds a protected term of the EPCIS context, or any other invalid JSON-LD. The EPCIS context comes from the copy in
 * `standards/`; any other remote context is refused, so a test never reaches the network.
 */
const CONTEXTS: Record<string, string> = {
  [EPCIS_CONTEXT]: path.join(standardsDir(), 'epcis-2.0', 'json-ld-context', 'epcis-context.jsonld'),
};

const loaded = new Map<string, unknown>();

async function documentLoader(url: string) {
  const file = CONTEXTS[url];
  if (!file) throw new Error(`no local copy of the remote context ${url}`);
  if (!loaded.has(url)) loaded.set(url, JSON.parse(readFileSync(file, 'utf8')));
  return { contextUrl: undefined, documentUrl: url, document: loaded.get(url) };
}

/** The expanded form of `document` (JSON-LD 1.1 expansion); rejects what a processor refuses. */
export function expandJsonLd(document: object): Promise<unknown[]> {
  return jsonld.expand(document as jsonld.JsonLdDocument, { documentLoader, safe: false } as jsonld.Options.Expand) as Promise<unknown[]>;
}
