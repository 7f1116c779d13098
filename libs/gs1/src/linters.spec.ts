import { Gs1ErrorCode } from './gs1-error';
import { LINTERS } from './linters';

/** Known answers per linter, mostly from the GS1 Syntax Engine's reference unit tests. */
const CASES: Record<string, { pass: string[]; fail: Array<[string, Gs1ErrorCode]> }> = {
  csum: { pass: ['09506000134352', '106141412345678908'], fail: [['09506000134353', Gs1ErrorCode.BAD_CHECK_DIGIT]] },
  csumalpha: {
    pass: ['1987654Ad4X4bL5ttr2310c2K', '12345_!"%&\'()*+,-./LC', '22'],
    fail: [
      ['1987654Ad4X4bL5ttr2310cXK', Gs1ErrorCode.BAD_CHECK_DIGIT],
      ['2', Gs1ErrorCode.BAD_CHECK_DIGIT],
    ],
  },
  gcppos1: {
    pass: ['0123', '0123A'],
    fail: [
      ['012', Gs1ErrorCode.BAD_FORMAT],
      ['012A5', Gs1ErrorCode.BAD_FORMAT],
    ],
  },
  gcppos2: { pass: ['90123'], fail: [['9012A', Gs1ErrorCode.BAD_FORMAT]] },
  hasnondigit: { pass: ['12A'], fail: [['123', Gs1ErrorCode.BAD_FORMAT]] },
  hh: { pass: ['00', '23'], fail: [['24', Gs1ErrorCode.BAD_FORMAT]] },
  mi: { pass: ['00', '59'], fail: [['60', Gs1ErrorCode.BAD_FORMAT]] },
  ss: { pass: ['59'], fail: [['60', Gs1ErrorCode.BAD_FORMAT]] },
  hhmi: {
    pass: ['0000', '2359'],
    fail: [
      ['2400', Gs1ErrorCode.BAD_FORMAT],
      ['1260', Gs1ErrorCode.BAD_FORMAT],
    ],
  },
  hyphen: { pass: ['-'], fail: [['+', Gs1ErrorCode.BAD_FORMAT]] },
  iban: {
    pass: ['FR7630006000011234567890189', 'GB98MIDL07009312345678', 'MT90MALT011000012345MTLCAST001SABC'],
    fail: [
      ['BE71096123456760', Gs1ErrorCode.BAD_CHECK_DIGIT],
      ['XX361234567890', Gs1ErrorCode.BAD_FORMAT],
      ['BE71', Gs1ErrorCode.BAD_FORMAT],
      ['LC14BOSLxx3456789012345678901230', Gs1ErrorCode.BAD_FORMAT],
    ],
  },
  importeridx: {
    pass: ['-', '0', 'Z', '_', 'z'],
    fail: [
      ['.', Gs1ErrorCode.BAD_FORMAT],
      ['AA', Gs1ErrorCode.BAD_FORMAT],
    ],
  },
  iso3166: {
    pass: ['250', '004', '826'],
    fail: [
      ['999', Gs1ErrorCode.BAD_FORMAT],
      ['000', Gs1ErrorCode.BAD_FORMAT],
    ],
  },
  iso3166999: { pass: ['999', '276'], fail: [['998', Gs1ErrorCode.BAD_FORMAT]] },
  iso3166alpha2: {
    pass: ['FR', 'DE'],
    fail: [
      ['XX', Gs1ErrorCode.BAD_FORMAT],
      ['fr', Gs1ErrorCode.BAD_FORMAT],
    ],
  },
  iso4217: { pass: ['978', '840'], fail: [['000', Gs1ErrorCode.BAD_FORMAT]] },
  iso5218: { pass: ['0', '1', '2', '9'], fail: [['3', Gs1ErrorCode.BAD_FORMAT]] },
  latitude: { pass: ['0000000000', '1800000000'], fail: [['1800000001', Gs1ErrorCode.BAD_FORMAT]] },
  longitude: { pass: ['3600000000'], fail: [['3600000001', Gs1ErrorCode.BAD_FORMAT]] },
  mediatype: {
    pass: ['01', '10', '80', '99'],
    fail: [
      ['00', Gs1ErrorCode.BAD_FORMAT],
      ['11', Gs1ErrorCode.BAD_FORMAT],
      ['79', Gs1ErrorCode.BAD_FORMAT],
    ],
  },
  nonzero: { pass: ['0010'], fail: [['0000', Gs1ErrorCode.BAD_FORMAT]] },
  nozeroprefix: { pass: ['0', '10'], fail: [['01', Gs1ErrorCode.BAD_FORMAT]] },
  packagetype: {
    pass: ['1A', '200', 'ZZ', 'X11'],
    fail: [
      ['00', Gs1ErrorCode.BAD_FORMAT],
      ['1A_', Gs1ErrorCode.BAD_FORMAT],
    ],
  },
  pcenc: {
    pass: ['', 'ABC%20XYZ', '%ff'],
    fail: [
      ['ABC%gXYZ', Gs1ErrorCode.BAD_FORMAT],
      ['%g', Gs1ErrorCode.BAD_FORMAT],
    ],
  },
  pieceoftotal: {
    pass: ['0101', '0102', '9999'],
    fail: [
      ['0001', Gs1ErrorCode.BAD_FORMAT],
      ['0100', Gs1ErrorCode.BAD_FORMAT],
      ['0302', Gs1ErrorCode.BAD_FORMAT],
    ],
  },
  posinseqslash: {
    pass: ['1/1', '9/10', '999/999'],
    fail: [
      ['2/1', Gs1ErrorCode.BAD_FORMAT],
      ['0/1', Gs1ErrorCode.BAD_FORMAT],
      ['1//', Gs1ErrorCode.BAD_FORMAT],
    ],
  },
  winding: { pass: ['0', '1', '9'], fail: [['2', Gs1ErrorCode.BAD_FORMAT]] },
  yesno: { pass: ['0', '1'], fail: [['2', Gs1ErrorCode.BAD_FORMAT]] },
  yymmd0: {
    pass: ['261231', '261200', '280229', '260200'],
    fail: [
      ['261232', Gs1ErrorCode.BAD_DATE],
      ['261300', Gs1ErrorCode.BAD_DATE],
      ['270229', Gs1ErrorCode.BAD_DATE],
    ],
  },
  yymmdd: {
    pass: ['261231', '280229'],
    fail: [
      ['261200', Gs1ErrorCode.BAD_DATE],
      ['260229', Gs1ErrorCode.BAD_DATE],
    ],
  },
  yyyymmdd: {
    pass: ['20000229', '19991231'],
    fail: [
      ['19000229', Gs1ErrorCode.BAD_DATE],
      ['20261301', Gs1ErrorCode.BAD_DATE],
    ],
  },
  zero: { pass: ['0'], fail: [['1', Gs1ErrorCode.BAD_FORMAT]] },
  couponcode: {
    pass: ['012345612345611110123', '0123456123456111101231012101293261231'],
    fail: [
      ['', Gs1ErrorCode.BAD_FORMAT],
      ['71234567890123', Gs1ErrorCode.BAD_FORMAT],
      ['0123456123456', Gs1ErrorCode.BAD_FORMAT],
      ['0123456123456111101237', Gs1ErrorCode.BAD_FORMAT],
    ],
  },
  couponposoffer: {
    pass: ['001234561234560123456', '061234567890121234569123456789012345'],
    fail: [
      ['201234561234560123456', Gs1ErrorCode.BAD_FORMAT],
      ['0012345612345601234567', Gs1ErrorCode.BAD_FORMAT],
      ['07', Gs1ErrorCode.BAD_FORMAT],
    ],
  },
};

describe('syntax dictionary linters', () => {
  it('has known-answer cases for every implemented linter', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(LINTERS).sort());
  });

  describe.each(Object.entries(CASES))('%s', (name, { pass, fail }) => {
    it.each(pass)('accepts %j', (data) => {
      expect(LINTERS[name](data)).toBeUndefined();
    });
    it.each(fail)('rejects %j with %s', (data, code) => {
      expect(LINTERS[name](data)).toMatchObject({ code, rule: expect.any(String) });
    });
  });
});
