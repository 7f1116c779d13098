import { productLine } from './product-facts';

const mda = (name: string) => `urn:epcglobal:cbv:mda#${name}`;

describe('the pack view’s product line', () => {
  it('shows name, strength and dosage form, in that order', () => {
    const element = {
      attributes: [
        { id: mda('dosageFormType'), value: 'CAPSULE' },
        { id: mda('regulatedProductName'), value: 'Amoxicillin' },
        { id: mda('strengthDescription'), value: '500 mg' },
      ],
    };
    expect(productLine([element])).toBe('Amoxicillin · 500 mg · CAPSULE');
  });

  it('falls back to the drug name, skips elements without a name, and says nothing without one', () => {
    expect(
      productLine([
        { attributes: [{ id: mda('strengthDescription'), value: '5 mg' }] },
        { attributes: [{ id: mda('drugName'), value: 'X' }] },
      ]),
    ).toBe('X');
    expect(productLine([{ attributes: [{ id: mda('regulatedProductName'), value: { nested: true } }] }])).toBeNull();
    expect(productLine([])).toBeNull();
  });
});
