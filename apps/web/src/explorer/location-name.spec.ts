import type { Provenance, ProvenanceEvent } from './explorer.queries';
import { destinationName, directoryOf, glnsNamed, locationName, parseLocation } from './location-name';

const directory = directoryOf([
  { name: 'ACME Pharma', gln: '9506000000015' },
  { name: 'Wholesale Ltd', gln: '9506000000039' },
]);

describe('location names in the explorer', () => {
  it('reads the GLN and site of an SGLN URN and of a Digital Link', () => {
    expect(parseLocation('urn:epc:id:sgln:9506000.00001.0')).toEqual({ gln: '9506000000015' });
    expect(parseLocation('urn:epc:id:sgln:9506000.00003.WH-2')).toEqual({ gln: '9506000000039', site: 'WH-2' });
    expect(parseLocation('https://id.gs1.org/414/9506000000039/254/WH-2')).toEqual({ gln: '9506000000039', site: 'WH-2' });
    expect(parseLocation('https://id.gs1.org/414/9506000000015')).toEqual({ gln: '9506000000015' });
    expect(parseLocation('urn:example:somewhere')).toBeNull();
  });

  it('names the organization and site instead of the URN', () => {
    expect(locationName('urn:epc:id:sgln:9506000.00001.0', directory)).toBe('ACME Pharma');
    expect(locationName('urn:epc:id:sgln:9506000.00003.WH-2', directory)).toBe('Wholesale Ltd, site WH-2');
  });

  it('names an unregistered GLN through the holder known to be there, keeping the GLN to look up', () => {
    expect(locationName('urn:epc:id:sgln:9506000.00009.0', directory, { name: 'ACME Pharma', gln: '9506000000015' })).toBe(
      'ACME Pharma, location GLN 9506000000091',
    );
    expect(locationName('urn:epc:id:sgln:9506000.00009.D1', directory)).toBe('GLN 9506000000091, site D1');
    expect(locationName('urn:example:somewhere', directory)).toBe('urn:example:somewhere');
  });

  it('names where a shipment goes', () => {
    expect(destinationName('9506000000039', directory)).toBe('Wholesale Ltd (GLN 9506000000039)');
    expect(destinationName('9506000000091', directory)).toBe('GLN 9506000000091');
  });

  it('lists every GLN a provenance names once: custody places, addressees, event locations and read points', () => {
    const event = (event: Record<string, unknown>) => ({ event }) as unknown as ProvenanceEvent;
    const custody = (location: string | null, destinationGln: string | null = null) =>
      ({ holder: null, location, from: '', to: null, inTransit: !!destinationGln, destinationGln }) as Provenance['custody'][number];
    const provenance = {
      custody: [custody('urn:epc:id:sgln:9506000.00001.0'), custody(null, '9506000000039'), custody('urn:example:somewhere')],
      events: [
        event({ bizLocation: { id: 'https://id.gs1.org/414/9506000000091/254/D1' }, readPoint: { id: 'urn:epc:id:sgln:9506000.00003.X' } }),
        event({ readPoint: { id: 'urn:epc:id:sgln:9506000.00003.WH-2' } }),
        event({ bizLocation: { id: 'urn:epc:id:sgln:9506000.00001.0' } }),
        event({}),
      ],
    } as unknown as Provenance;
    expect(glnsNamed(provenance)).toEqual(['9506000000015', '9506000000039', '9506000000091']);
  });
});
