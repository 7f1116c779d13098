import fc from 'fast-check';
import { findPrefixOverlap, prefixesOverlap, RegisteredPrefix } from './company-prefix';

const held = (prefix: string, organizationName = 'ACME'): RegisteredPrefix => ({
  prefix,
  organizationId: `id-${organizationName}`,
  organizationName,
});

describe('findPrefixOverlap', () => {
  it('refuses the same prefix, one that begins a registered one, and one a registered one begins', () => {
    const registered = [held('0614141', 'ACME')];
    expect(findPrefixOverlap(['0614141'], registered)).toEqual({
      prefix: '0614141',
      conflictsWith: '0614141',
      holder: { organizationId: 'id-ACME', organizationName: 'ACME' },
    });
    expect(findPrefixOverlap(['061414'], registered)).toMatchObject({ prefix: '061414', conflictsWith: '0614141' });
    expect(findPrefixOverlap(['06141415'], registered)).toMatchObject({ prefix: '06141415', conflictsWith: '0614141' });
  });

  it('accepts neighbours that share digits without one beginning the other', () => {
    expect(findPrefixOverlap(['0614142', '061415', '9506000'], [held('0614141')])).toBeNull();
    expect(findPrefixOverlap([], [held('0614141')])).toBeNull();
  });

  it('refuses two overlapping prefixes in one request, and ignores a prefix repeated', () => {
    expect(findPrefixOverlap(['0614141', '06141410'], [])).toEqual({ prefix: '0614141', conflictsWith: '06141410', holder: null });
    expect(findPrefixOverlap(['0614141', '0614141'], [])).toBeNull();
  });

  it('property: however requests arrive, no two accepted prefixes overlap', () => {
    const prefix = fc.stringMatching(/^[0-2]{4,7}$/);
    fc.assert(
      fc.property(fc.array(fc.array(prefix, { minLength: 1, maxLength: 3 }), { maxLength: 25 }), (requests) => {
        const registered: RegisteredPrefix[] = [];
        requests.forEach((request, n) => {
          if (!findPrefixOverlap(request, registered)) registered.push(...[...new Set(request)].map((p) => held(p, `org${n}`)));
        });
        registered.forEach((a, i) => registered.slice(i + 1).forEach((b) => expect(prefixesOverlap(a.prefix, b.prefix)).toBe(false)));
      }),
    );
  });
});
