import { pageInfo, pageRequest } from './paging';

describe('connection paging', () => {
  it('reads first/after as forward and last/before as backward, defaults forward', () => {
    expect(pageRequest({ first: 3, after: 'a' })).toEqual({
      direction: 'forward',
      size: 3,
      sizeField: 'first',
      cursor: 'a',
      cursorField: 'after',
    });
    expect(pageRequest({ last: 2, before: 'b' })).toEqual({
      direction: 'backward',
      size: 2,
      sizeField: 'last',
      cursor: 'b',
      cursorField: 'before',
    });
    expect(pageRequest({ before: 'b' })).toMatchObject({ direction: 'backward', size: null });
    expect(pageRequest({ first: null, last: null })).toMatchObject({ direction: 'forward', size: null, cursor: null });
  });

  it.each([
    [{ first: 1, last: 1 }, 'last'],
    [{ after: 'a', before: 'b' }, 'before'],
    [{ first: 1, before: 'b' }, 'before'],
    [{ after: 'a', last: 1 }, 'last'],
  ])('refuses mixed directions %j, naming %s', (args, field) => {
    expect(() => pageRequest(args)).toThrow(
      expect.objectContaining({ code: 'INVALID_PAGE_ARGUMENTS', details: { field, rule: 'one-direction' } }),
    );
  });

  it('says which neighbours a page has', () => {
    const fwdStart = pageRequest({ first: 2 });
    expect(pageInfo(fwdStart, ['x', 'y'], true)).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: 'x', endCursor: 'y' });
    expect(pageInfo(pageRequest({ first: 2, after: 'w' }), ['x'], false)).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(pageInfo(pageRequest({ last: 2 }), ['x', 'y'], true)).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(pageInfo(pageRequest({ last: 2, before: 'z' }), [], false)).toEqual({
      hasNextPage: true,
      hasPreviousPage: false,
      startCursor: undefined,
      endCursor: undefined,
    });
  });
});
