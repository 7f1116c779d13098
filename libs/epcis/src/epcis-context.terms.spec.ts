import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { standardsDir } from '@pharmatrace/gs1';
import { STANDARD_PREFIXES } from 'pharmatrace-verify/cbv';
import { EPCIS_CONTEXT_PREFIXES, EPCIS_CONTEXT_TERMS, protectedTermRedefinitions } from './epcis-context.terms';

const context = JSON.parse(readFileSync(path.join(standardsDir(), 'epcis-2.0', 'json-ld-context', 'epcis-context.jsonld'), 'utf8'))[
  '@context'
];

describe('EPCIS 2.0 JSON-LD context terms', () => {
  it('are every term the context file defines, all protected', () => {
    expect(context['@protected']).toBe(true);
    expect([...EPCIS_CONTEXT_TERMS].sort()).toEqual(
      Object.keys(context)
        .filter((k) => !k.startsWith('@'))
        .sort(),
    );
  });

  it('bind the standard prefixes to the namespaces the hash core uses', () => {
    for (const [prefix, uri] of Object.entries(STANDARD_PREFIXES)) expect(context[prefix]).toBe(uri);
  });

  it('know every prefix term with its namespace', () => {
    const prefixes = Object.entries(context).filter(
      ([term, value]) => !term.startsWith('@') && typeof value === 'string' && /[/#:]$/.test(value),
    );
    expect(Object.fromEntries(prefixes)).toEqual(EPCIS_CONTEXT_PREFIXES);
  });

  it('find every protected term a context rebinds, and only those', () => {
    expect(
      protectedTermRedefinitions([
        'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld',
        { cbvmda: 'urn:epcglobal:cbv:mda', rdfs: 'http://www.w3.org/2000/01/rdf-schema#', ex: 'https://ex.example/' },
        { type: '@id', gs1: 'https://gs1.org/voc/' },
      ]),
    ).toEqual(['cbvmda', 'type']);
  });
});
