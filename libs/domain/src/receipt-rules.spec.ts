import { classQuantitiesOf } from './receipt-rules';

describe('classQuantitiesOf', () => {
  it('reads quantityList and childQuantityList, each class in one spelling, and leaves out what states no amount', () => {
    expect(
      classQuantitiesOf({
        quantityList: [
          { epcClass: 'urn:epc:class:lgtin:0614141.107346.L1', quantity: 10 },
          { epcClass: 'https://id.gs1.org/01/10614141073464/10/L1', quantity: 2.5, uom: 'KGM' },
          { epcClass: 'urn:epc:idpat:sgtin:0614141.107346.*', quantity: 3 },
          { epcClass: 'urn:example:not-gs1', quantity: 1 },
          // No quantity, no class, not a number: nothing to count.
          { epcClass: 'urn:epc:class:lgtin:0614141.107346.L2' },
          { quantity: 4 },
          { epcClass: 'urn:epc:class:lgtin:0614141.107346.L3', quantity: '5' },
        ],
        childQuantityList: [{ epcClass: 'https://id.gs1.org/01/10614141073464/10/L1', quantity: 6 }],
        inputQuantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.107346.L9', quantity: 7 }],
      }),
    ).toEqual([
      { epcClass: 'https://id.gs1.org/01/10614141073464/10/L1', quantity: 10, uom: null },
      { epcClass: 'https://id.gs1.org/01/10614141073464/10/L1', quantity: 2.5, uom: 'KGM' },
      { epcClass: 'https://id.gs1.org/01/10614141073464', quantity: 3, uom: null },
      { epcClass: 'urn:example:not-gs1', quantity: 1, uom: null },
      { epcClass: 'https://id.gs1.org/01/10614141073464/10/L1', quantity: 6, uom: null },
    ]);
    expect(classQuantitiesOf({ epcList: ['x'] })).toEqual([]);
  });
});
