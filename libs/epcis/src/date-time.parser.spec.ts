import { parseIsoDate, parseZonedDateTime } from './date-time.parser';

describe('parseIsoDate', () => {
  it.each(['2028-02-29', '0001-01-01', '9999-12-31'])('reads %s', (text) => {
    expect(parseIsoDate(text)?.toISOString().slice(0, 10)).toBe(text);
  });

  it.each(['2028-02-30', '2027-02-29', '2028-13-01', '2028-00-10', '0000-01-01', '2028-2-1', '2028-02-28T00:00:00Z', 'yesterday', ''])(
    'refuses %j',
    (text) => {
      expect(parseIsoDate(text)).toBeNull();
    },
  );
});

describe('parseZonedDateTime', () => {
  it.each([
    ['2026-01-31T08:00:00Z', '2026-01-31T08:00:00.000Z'],
    ['2026-01-31T08:00:00.5+14:00', '2026-01-30T18:00:00.500Z'],
    ['2026-01-31T08:00:00-14:00', '2026-01-31T22:00:00.000Z'],
    ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.000Z'],
  ])('reads %s', (text, iso) => {
    expect(parseZonedDateTime(text)?.toISOString()).toBe(iso);
  });

  it.each([
    '9999-12-31T23:59:59-14:00',
    '0001-01-01T00:00:00+00:01',
    '2026-01-01T00:00:00+14:30',
    '2026-01-01T00:00:00+15:00',
    '2026-02-30T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T00:00:00',
    'yesterday',
  ])('refuses %s', (text) => {
    expect(parseZonedDateTime(text)).toBeNull();
  });
});
