import { GS } from './scan-code';
import { analyseSelfTestScan, SELF_TEST_ELEMENT_STRING, SELF_TEST_EXPECTED } from './self-test.analysis';

const failing = (r: ReturnType<typeof analyseSelfTestScan>) => r.checks.filter((c) => !c.ok).map((c) => c.id);

describe('scanner self-test analysis', () => {
  it('knows the test code', () => {
    expect(SELF_TEST_EXPECTED).toBe(`]d201095060001343521729123110AbYz7${GS}21yZq9K`);
    expect(SELF_TEST_ELEMENT_STRING).toBe('(01)09506000134352(17)291231(10)AbYz7(21)yZq9K');
  });

  it('passes a correctly set up scanner, Enter included', () => {
    const r = analyseSelfTestScan(SELF_TEST_EXPECTED + '\n', undefined);
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.id)).toEqual(['symbology', 'group-separator', 'letter-case', 'keyboard-layout', 'other-characters']);
  });

  it('names a GS substitute and tells to set it, then passes once the page uses it', () => {
    const sent = SELF_TEST_EXPECTED.replace(GS, '|');
    const r = analyseSelfTestScan(sent, undefined);
    expect(failing(r)).toEqual(['group-separator']);
    expect(r.detectedGsSubstitute).toBe('|');
    expect(r.checks[1]).toMatchObject({ finding: 'GS replaced by "|".', fix: 'Set "GS substitute" on the scan page to "|".' });
    expect(analyseSelfTestScan(sent, '|').ok).toBe(true);
  });

  it('reports a missing GS and a missing symbology identifier', () => {
    const r = analyseSelfTestScan(SELF_TEST_EXPECTED.replace(GS, '').replace(']d2', ''), undefined);
    expect(failing(r)).toEqual(['symbology', 'group-separator']);
    expect(r.checks[1].finding).toMatch(/GS missing/);
    expect(r.checks[0].fix).toMatch(/AIM/);
  });

  it('reports a Y/Z swap (QWERTZ) without blaming letter case', () => {
    const r = analyseSelfTestScan(`]d2010950600013435217291231 10AbZy7${GS}21zYq9K`.replace(' ', ''), undefined);
    expect(failing(r)).toEqual(['keyboard-layout']);
    expect(r.checks[3].fix).toMatch(/keyboard country/);
  });

  it('reports flipped and forced letter case', () => {
    expect(failing(analyseSelfTestScan(`]d2010950600013435217291231 10aByZ7${GS}21YzQ9k`.replace(' ', ''), undefined))).toEqual([
      'letter-case',
    ]);
    const upper = analyseSelfTestScan(`]d2010950600013435217291231 10ABYZ7${GS}21YZQ9K`.replace(' ', ''), undefined);
    expect(failing(upper)).toEqual(['letter-case']);
    expect(upper.checks[2].finding).toMatch(/UPPER/);
  });

  it('reports a swap and a flip together, and a substitute the page cannot use', () => {
    const r = analyseSelfTestScan(`]d2010950600013435217291231 10aBzY7X21ZyQ9k`.replace(' ', ''), undefined);
    expect(failing(r)).toEqual(['group-separator', 'letter-case', 'keyboard-layout']);
    expect(r.detectedGsSubstitute).toBeUndefined();
    expect(r.checks[1].fix).toMatch(/Ctrl\+\]/);
  });

  it('reports digits altered by a foreign layout (AZERTY)', () => {
    const r = analyseSelfTestScan(`]d2à&à9506000134352172912311 0AbYz7${GS}21yZq9K`.replace(' ', ''), undefined);
    expect(failing(r)).toContain('other-characters');
  });
});
