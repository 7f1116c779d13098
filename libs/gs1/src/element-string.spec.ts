import { formatElementString, GS, parseElementString } from './element-string';
import { Gs1ErrorCode } from './gs1-error';

const PACK = { '01': '09506000134352', '17': '261231', '10': 'ABC123', '21': 'SN-0001' };

describe('parseElementString', () => {
  it.each([
    [']d2', `]d201095060001343521726123110ABC123${GS}21SN-0001`],
    [']C1', `]C1010950600013435217261231${GS}10ABC123${GS}21SN-0001`],
    [']Q3', `]Q30109506000134352172612312${''}1SN-0001${GS}10ABC123`],
    [']e0', `]e0010950600013435221SN-0001${GS}17261231${GS}10ABC123`],
  ])('reads raw %s scan data', (symbology, data) => {
    const result = parseElementString(data);
    expect(result.symbology).toBe(symbology);
    expect(result.byAi).toEqual(PACK);
  });

  it('reads data without symbology identifier, with a leading FNC1 and a trailing CR/LF', () => {
    const result = parseElementString(`${GS}010950600013435217261231${GS}10ABC123${GS}21SN-0001\r\n`);
    expect(result.symbology).toBeUndefined();
    expect(result.byAi).toEqual(PACK);
    expect(result.elements.map((e) => e.ai)).toEqual(['01', '17', '10', '21']);
    expect(result.elements[0]).toEqual({ ai: '01', value: '09506000134352', title: 'GTIN' });
  });

  it.each(['~', '<GS>', '@@'])('replaces a keyboard-wedge GS substitute %j', (sub) => {
    const result = parseElementString(`]d2010950600013435210ABC123${sub}17261231${sub}21SN-0001`, { gsSubstitute: sub });
    expect(result.byAi).toEqual(PACK);
  });

  it('reads the bracketed human-readable form, with \\( for a literal bracket', () => {
    expect(parseElementString('(01)09506000134352(17)261231(10)ABC123(21)SN-0001').byAi).toEqual(PACK);
    expect(parseElementString('(01)09506000134352(21)A\\(B)C').byAi['21']).toBe('A(B)C');
  });

  it('keeps an exact repeat of an AI once', () => {
    const result = parseElementString('(01)09506000134352(21)X(21)X');
    expect(result.elements).toHaveLength(2);
  });

  it('accepts a separator after a predefined-length AI', () => {
    expect(parseElementString(`01095060001343521${''}7261231${GS}21X`).byAi).toEqual({ '01': '09506000134352', '17': '261231', '21': 'X' });
  });

  it.each([
    ['N fixed with check digit', '(00)106141412345678908', '00', '106141412345678908'],
    ['N variable', '(00)106141412345678908(02)09506000134352(37)12', '37', '12'],
    ['N6 decimal weight', '(01)09506000134352(3103)001250', '3103', '001250'],
    ['X variable', '(01)09506000134352(10)AB-12/x.y', '10', 'AB-12/x.y'],
    ['N3 iso3166 + X..9', '(00)106141412345678908(421)25075001', '421', '25075001'],
    ['repeated optional iso3166', '(01)09506000134352(423)250276040', '423', '250276040'],
    ['N3 iso4217 + N..15', '(8020)ABC(415)9521234543213(3912)978123456', '3912', '978123456'],
    ['yymmdd + hhmi', '(01)09506000134352(7003)2612312359', '7003', '2612312359'],
    ['yymmdd hh [mi] [ss]', '(01)09506000134352(8008)26123123', '8008', '26123123'],
    ['latitude + longitude', '(00)106141412345678908(4309)08000000001800000000', '4309', '08000000001800000000'],
    ['N6 [X1] hyphen', '(00)106141412345678908(4330)001234-', '4330', '001234-'],
    ['N1 zero + N13 csum + [X..16]', '(8003)09521234543213ABC', '8003', '09521234543213ABC'],
    ['N1 X1 X1 X1 importeridx', '(414)9521234543213(7040)1AB_', '7040', '1AB_'],
    ['nonzero + winding', '(01)09506000134352(8001)12340050001212', '8001', '12340050001212'],
    ['N14 csum + pieceoftotal', '(8006)095060001343520102', '8006', '095060001343520102'],
    ['X csumalpha (GMN)', '(8013)1987654Ad4X4bL5ttr2310c2K', '8013', '1987654Ad4X4bL5ttr2310c2K'],
    ['Y CSET 39 (CPID)', '(8010)95012345#-/AB(8011)1', '8010', '95012345#-/AB'],
    ['Z CSET 64 (DIGSIG)', '(00)106141412345678908(8030)AbC-_09==', '8030', 'AbC-_09=='],
    ['X pcenc', '(00)106141412345678908(4300)ACME%20Corp', '4300', 'ACME%20Corp'],
    ['X2 iso3166alpha2', '(00)106141412345678908(4307)FR', '4307', 'FR'],
    ['X..34 iban', '(415)9521234543213(8020)A1(8007)GB98MIDL07009312345678', '8007', 'GB98MIDL07009312345678'],
    ['X3 posinseqslash', '(8018)952123454321000003(7258)1/2(7259)BABY', '7258', '1/2'],
    ['yyyymmdd', '(8018)952123454321000003(7250)20000229', '7250', '20000229'],
    ['packagetype', '(00)106141412345678908(7041)BX', '7041', 'BX'],
  ])('known answer: %s', (_label, input, ai, value) => {
    expect(parseElementString(input).byAi[ai]).toBe(value);
  });

  it.each([
    ['unknown symbology', ']d1010950600013435221X', Gs1ErrorCode.BAD_FORMAT, undefined],
    ['empty data', `]d2${GS}`, Gs1ErrorCode.BAD_FORMAT, undefined],
    ['unknown AI', '(01)09506000134352(23)X', Gs1ErrorCode.UNKNOWN_AI, '23'],
    ['unknown AI in raw data', '0109506000134352239', Gs1ErrorCode.UNKNOWN_AI, '239'],
    ['bad check digit', '(01)09506000134353(21)X', Gs1ErrorCode.BAD_CHECK_DIGIT, '01'],
    ['short predefined-length data', '010950600013435', Gs1ErrorCode.BAD_LENGTH, '01'],
    ['missing GS after variable-length AI', '0109506000134352211234567890123456789012', Gs1ErrorCode.BAD_LENGTH, '21'],
    ['serial outside CSET 82', '(01)09506000134352(21)A B', Gs1ErrorCode.BAD_CHARACTER, '21'],
    ['bad expiry month', '(01)09506000134352(17)261301(21)X', Gs1ErrorCode.BAD_DATE, '17'],
    ['day 00 not allowed for yymmdd', '(01)09506000134352(7006)261200', Gs1ErrorCode.BAD_DATE, '7006'],
    ['bad country', '(01)09506000134352(422)999', Gs1ErrorCode.BAD_FORMAT, '422'],
    ['serial without GTIN', '(21)X', Gs1ErrorCode.MISSING_REQUIRED_AI, '21'],
    ['secondary serial needs 01+21', '(01)09506000134352(250)X', Gs1ErrorCode.MISSING_REQUIRED_AI, '250'],
    ['GTIN with CONTENT', '(01)09506000134352(02)09506000134352(37)1', Gs1ErrorCode.INVALID_AI_PAIR, '01'],
    ['two net weights', '(01)09506000134352(3101)000100(3102)000100', Gs1ErrorCode.INVALID_AI_PAIR, '3101'],
    ['duplicate serial', '(01)09506000134352(21)X(21)Y', Gs1ErrorCode.DUPLICATE_AI, '21'],
    ['bracket with no AI', '(01)09506000134352(X)1', Gs1ErrorCode.BAD_FORMAT, undefined],
  ])('rejects %s', (_label, input, code, ai) => {
    expect(() => parseElementString(input)).toThrow(expect.objectContaining({ code, ai }));
  });

  it('raises a pairing error every time the same AIs come again, with the same message', () => {
    const messages = [0, 1, 2].map(() => {
      try {
        parseElementString('(01)09506000134352(21)1(235)X');
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    });
    expect(new Set(messages)).toEqual(new Set(['AI (21): must not appear together with (235)']));
    // The same AIs in another message, with other data, are judged alike; a valid set stays valid.
    expect(() => parseElementString('(01)09506000134352(21)2(235)Y')).toThrow(
      expect.objectContaining({ code: Gs1ErrorCode.INVALID_AI_PAIR, ai: '21' }),
    );
    expect(parseElementString('(01)09506000134352(21)1').byAi).toEqual({ '01': '09506000134352', '21': '1' });
  });

  it('can leave association checks to the caller', () => {
    expect(parseElementString('(21)X', { validateAssociations: false }).byAi).toEqual({ '21': 'X' });
  });
});

describe('formatElementString', () => {
  const elements = [
    { ai: '10', value: 'ABC123' },
    { ai: '01', value: '09506000134352' },
    { ai: '21', value: 'SN-0001' },
    { ai: '17', value: '261231' },
  ];

  it('puts predefined-length AIs first and separates variable-length ones with GS', () => {
    expect(formatElementString(elements)).toBe(`010950600013435217261231${'10ABC123'}${GS}21SN-0001`);
    expect(formatElementString(elements, { separator: '~' })).toBe('01095060001343521726123110ABC123~21SN-0001');
  });

  it('writes the bracketed form in the given order', () => {
    expect(formatElementString(elements, { style: 'bracketed' })).toBe('(10)ABC123(01)09506000134352(21)SN-0001(17)261231');
  });

  it('round-trips through parseElementString', () => {
    expect(parseElementString(formatElementString(elements)).byAi).toEqual(PACK);
  });
});
