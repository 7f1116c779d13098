import { BASELINE, capabilitiesFrom, packMutation, verifyQuery } from './verdict.query';

const fields = (...names: string[]) => ({ fields: names.map((name) => ({ name })) });

describe('verdict query', () => {
  it('asks only for the fields every server has when the schema is unknown', () => {
    expect(verifyQuery(BASELINE)).toBe(
      'query Verify($code: String!) { verify(code: $code) { status saleable alerts epc product { gtin serial lot expiry } custodian { name gln } container anchored checkedOnChain } }',
    );
  });

  it('reads an older schema as the baseline', () => {
    const old = capabilitiesFrom({
      verdict: { fields: [{ name: 'status' }, { name: 'product', type: { fields: [{ name: 'gtin' }] } }] },
      schema: {
        mutationType: {
          fields: [{ name: 'captureEpcisDocument' }, { name: 'dispense', args: [{ name: 'input' }], type: { name: 'FlowResult' } }],
        },
      },
    });
    expect(old).toEqual(BASELINE);
  });

  it('adds the optional fields the schema has, through nullable and non-null types', () => {
    const caps = capabilitiesFrom({
      verdict: {
        fields: [
          { name: 'nmvsCode' },
          { name: 'product', type: { fields: null, ofType: fields('gtin', 'name') } },
          { name: 'correction', type: fields('kind', 'advice', 'corrected', 'somethingElse') },
        ],
      },
      schema: {
        mutationType: {
          fields: [
            { name: 'dispense', args: [{ name: 'code' }], type: { name: null, ofType: { name: 'Verdict' } } },
            { name: 'undoDispense', args: [{ name: 'input' }], type: { name: 'Verdict' } },
          ],
        },
      },
    });
    expect(caps).toEqual({
      verdict: ['nmvsCode'],
      product: ['name'],
      correction: ['kind', 'advice', 'corrected'],
      mutations: ['dispense'],
    });
    expect(verifyQuery(caps)).toContain(
      'product { gtin serial lot expiry name } custodian { name gln } container anchored checkedOnChain nmvsCode correction { kind advice corrected } }',
    );
    expect(packMutation('dispense', caps)).toMatch(
      /^mutation Change\(\$code: String!\) \{ dispense\(code: \$code\) \{ status .* correction \{ kind advice corrected \} \} \}$/,
    );
  });
});
