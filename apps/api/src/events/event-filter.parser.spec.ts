import fc from 'fast-check';
import { parseEventQuery } from './event-filter.parser';
import { EventQueryError } from './event-query.error';
import { fieldName } from './extension-filter';

const criteria = (params: Record<string, string | string[]>) =>
  parseEventQuery(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]))).criteria;

function refusal(params: Record<string, string | string[]>): { parameter?: string; rule?: string } {
  try {
    criteria(params);
  } catch (e) {
    if (e instanceof EventQueryError) return e.details as { parameter?: string; rule?: string };
    throw e;
  }
  throw new Error(`${JSON.stringify(params)} was accepted`);
}

describe('event query parameters (issue 16 families)', () => {
  describe('EPC classes', () => {
    it('MATCH_epcClass reads quantityList and childQuantityList; the input, output and any forms their own lists', () => {
      const classes = criteria({
        MATCH_epcClass: 'urn:epc:class:lgtin:0614141.007346.L1',
        MATCH_inputEPCClass: 'urn:epc:class:lgtin:0614141.007346.L2',
        MATCH_outputEPCClass: 'urn:epc:class:lgtin:0614141.007346.L3',
        MATCH_anyEPCClass: 'urn:epc:class:lgtin:0614141.007346.L4',
      }).epcClasses!;
      expect(classes.map((c) => c.lists)).toEqual([
        ['quantityList', 'childQuantityList'],
        ['inputQuantityList'],
        ['outputQuantityList'],
        ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList'],
      ]);
      expect(classes[1].exact).toContain('https://id.gs1.org/01/00614141073467/10/L2');
    });

    it('refuses an instance where a class is asked for', () => {
      expect(refusal({ MATCH_anyEPCClass: 'urn:epc:id:sscc:0614141.1234567890' })).toEqual({
        parameter: 'MATCH_anyEPCClass',
        rule: 'epc-class',
      });
    });
  });

  describe('quantities', () => {
    it('compares in any unit, or in a unit and those converting to it', () => {
      const [any, kilos] = criteria({ GE_quantity: '10', LT_quantity_KGM: '2.5' }).measures!;
      expect(any).toEqual({ of: 'quantity', field: 'quantity', op: 'GE', value: '10' });
      expect(kilos).toMatchObject({ op: 'LT', value: '2.5', unit: { uom: 'KGM', factor: '1000', offset: '0' } });
      expect(kilos.units!.map((u) => u.uom)).toEqual(expect.arrayContaining(['GRM', 'KGM', 'LBR']));
    });

    it('refuses a quantity that is no number, twice given, or in no unit code', () => {
      expect(refusal({ EQ_quantity: 'ten' })).toEqual({ parameter: 'EQ_quantity', rule: 'number' });
      expect(refusal({ GE_quantity: ['1', '2'] })).toEqual({ parameter: 'GE_quantity', rule: 'single-value' });
      expect(refusal({ GE_quantity_kg: '1' })).toEqual({ parameter: 'GE_quantity_kg', rule: 'uom' });
    });
  });

  describe('error declarations', () => {
    it('reads reasons in every CBV spelling; EXISTS_errorDeclaration=false asks nothing', () => {
      expect(criteria({ EQ_errorReason: 'incorrect_data' }).errorDeclaration!.reasons).toEqual([
        'incorrect_data',
        'urn:epcglobal:cbv:er:incorrect_data',
        'https://ref.gs1.org/cbv/ER-incorrect_data',
      ]);
      expect(criteria({ EXISTS_errorDeclaration: '' }).errorDeclaration).toEqual(expect.any(Object));
      expect(criteria({ EXISTS_errorDeclaration: 'false' }).errorDeclaration).toBeUndefined();
      expect(criteria({ GE_errorDeclarationTime: '2026-01-02T10:00:00+01:00' }).errorDeclaration!.from).toBe('2026-01-02T09:00:00.000Z');
    });

    it('refuses a malformed time or flag', () => {
      expect(refusal({ LT_errorDeclarationTime: '2026-01-02' })).toEqual({
        parameter: 'LT_errorDeclarationTime',
        rule: 'format:date-time',
      });
      expect(refusal({ EXISTS_errorDeclaration: 'yes' })).toEqual({ parameter: 'EXISTS_errorDeclaration', rule: 'boolean' });
    });
  });

  describe('sensor data', () => {
    it('reads types in every spelling, attributes as lists, measures in a unit', () => {
      const c = criteria({
        EQ_type: 'gs1:Temperature|Humidity',
        GE_value_KEL: '300',
        EQ_deviceID: 'urn:a|urn:b',
        GE_time: '2026-01-01T00:00:00Z',
      });
      expect(c.sensorAttributes).toEqual([
        { attribute: 'type', in: 'report', values: expect.arrayContaining(['Temperature', 'https://gs1.org/voc/Humidity']) },
        { attribute: 'deviceID', in: 'either', values: ['urn:a', 'urn:b'] },
      ]);
      expect(c.measures![0]).toMatchObject({ of: 'sensorReport', field: 'value', op: 'GE', value: '300', unit: { uom: 'KEL' } });
      expect(c.measures![0].units!.map((u) => u.uom)).toEqual(['KEL', 'CEL', 'FAH']);
      expect(c.sensorTimes).toEqual([{ attribute: 'time', in: 'either', op: 'GE', instant: '2026-01-01T00:00:00.000Z' }]);
    });

    it('refuses a measure without a unit, a non-boolean booleanValue, odd hex', () => {
      expect(refusal({ GE_value: '3' })).toEqual({ parameter: 'GE_value', rule: 'uom' });
      expect(refusal({ EQ_booleanValue: 'yes' })).toEqual({ parameter: 'EQ_booleanValue', rule: 'boolean' });
      expect(refusal({ EQ_hexBinaryValue: 'ABC' })).toEqual({ parameter: 'EQ_hexBinaryValue', rule: 'hex-binary' });
      expect(refusal({ LT_sDev_CEL: 'x' })).toEqual({ parameter: 'LT_sDev_CEL', rule: 'number' });
    });
  });

  describe('ILMD and extension fields', () => {
    it('names a field by namespace#name, a standard prefix, or a full IRI', () => {
      const mda = { keys: ['cbvmda:lotNumber'], local: 'lotNumber' };
      expect(fieldName('p', 'urn:epcglobal:cbv:mda#lotNumber')).toMatchObject(mda);
      expect(fieldName('p', 'cbvmda:lotNumber')).toMatchObject(mda);
      expect(fieldName('p', 'urn:epcglobal:cbv:mda:lotNumber')).toMatchObject(mda);
      expect(fieldName('p', 'cbvmda:lotNumber').namespaces).toContain('urn:epcglobal:cbv:mda:');
      expect(fieldName('p', 'https://ns.example.com/epcis#temp')).toEqual({
        keys: [],
        namespaces: [
          'https://ns.example.com/epcis',
          'https://ns.example.com/epcis/',
          'https://ns.example.com/epcis#',
          'https://ns.example.com/epcis:',
        ],
        local: 'temp',
      });
      expect(fieldName('p', 'https://ns.example.com/epcis/temp').namespaces).toContain('https://ns.example.com/epcis/');
      expect(fieldName('p', 'ex:temp')).toEqual({ keys: ['ex:temp'], namespaces: [], local: 'temp' });
      expect(fieldName('p', 'constructor:x')).toEqual({ keys: ['constructor:x'], namespaces: [], local: 'x' });
    });

    it('reads scope, INNER_ and the values each comparison takes', () => {
      const fields = criteria({
        'EQ_ILMD_cbvmda:lotNumber': 'L1|L2',
        'GT_ILMD_cbvmda:itemExpirationDate': '2027-01-01',
        'EXISTS_INNER_ex:probe': '',
        'LE_SENSORREPORT_ex:drift': '0.5',
        'GE_ERROR_DECLARATION_ex:at': '2026-01-01T00:00:00+02:00',
        'EQ_readPoint_ex:dock': '7',
      }).fields!;
      expect(fields.map((f) => [f.scope, f.inner, f.op])).toEqual([
        ['ilmd', false, 'EQ'],
        ['ilmd', false, 'GT'],
        ['event', true, 'EXISTS'],
        ['sensorReport', false, 'LE'],
        ['errorDeclaration', false, 'GE'],
        ['readPoint', false, 'EQ'],
      ]);
      expect(fields[0].values).toEqual({ texts: ['L1', 'L2'], numbers: [], instants: [] });
      expect(fields[1].values).toEqual({ dates: ['2027-01-01'] });
      expect(fields[3].values).toEqual({ numbers: ['0.5'] });
      expect(fields[4].values).toEqual({ instants: ['2025-12-31T22:00:00.000Z'] });
      expect(fields[5].values).toEqual({ texts: ['7'], numbers: ['7'], instants: [] });
    });

    it('refuses an unqualified name, an uncomparable value, a value on EXISTS_', () => {
      expect(refusal({ EQ_ILMD_lotNumber: 'x' })).toEqual({ parameter: 'EQ_ILMD_lotNumber', rule: 'supported-parameter' });
      expect(refusal({ 'EQ_ILMD_#lot': 'x' })).toEqual({ parameter: 'EQ_ILMD_#lot', rule: 'field-name' });
      expect(refusal({ 'GT_ILMD_cbvmda:lotNumber': 'L1' })).toEqual({ parameter: 'GT_ILMD_cbvmda:lotNumber', rule: 'comparable-value' });
      expect(refusal({ 'GT_ILMD_cbvmda:itemExpirationDate': '2027-02-30' })).toEqual({
        parameter: 'GT_ILMD_cbvmda:itemExpirationDate',
        rule: 'comparable-value',
      });
      expect(refusal({ 'EXISTS_ex:x': 'maybe' })).toEqual({ parameter: 'EXISTS_ex:x', rule: 'exists-value' });
      expect(refusal({ 'EQ_ex:x': '' })).toEqual({ parameter: 'EQ_ex:x', rule: 'non-empty' });
    });

    it('reads master-data parameters as master data, never as extension fields', () => {
      // The field of EQ_ATTR_/HASATTR_ is readPoint, bizLocation or epcClass (master-data-filter.ts): anything else is
      // refused as a master-data field, not looked for among the event's extension fields.
      expect(refusal({ 'HASATTR_urn:x#y': 'x' })).toEqual({ parameter: 'HASATTR_urn:x#y', rule: 'master-data-field' });
      expect(criteria({ WD_readPoint: 'urn:epc:id:sgln:0614141.00777.0' }).fields).toBeUndefined();
      expect(criteria({ WD_readPoint: 'urn:epc:id:sgln:0614141.00777.0' }).masterData).toBeDefined();
    });

    it('property: a field asked for in any of its spellings names the same keys and namespaces', () => {
      const word = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,11}$/);
      fc.assert(
        fc.property(word, fc.constantFrom('EQ', 'EXISTS'), (local, op) => {
          const value = op === 'EQ' ? 'L1' : '';
          const spellings = [`urn:epcglobal:cbv:mda#${local}`, `cbvmda:${local}`, `urn:epcglobal:cbv:mda:${local}`];
          const asked = spellings.map((s) => criteria({ [`${op}_ILMD_${s}`]: value }).fields![0].field);
          const sorted = asked.map((f) => ({ ...f, namespaces: [...f.namespaces].sort() }));
          expect(sorted[1]).toEqual(sorted[0]);
          expect(sorted[2]).toEqual(sorted[0]);
        }),
      );
    });
  });
});
