import { parseLsn } from './lsn';

describe('parseLsn', () => {
  it('reads both halves as hexadecimal, the first as the high 32 bits', () => {
    expect(parseLsn('0/0')).toBe(0n);
    expect(parseLsn('0/16B3748')).toBe(0x16b3748n);
    expect(parseLsn('16/B374D848')).toBe((0x16n << 32n) + 0xb374d848n);
    expect(parseLsn('1/0') > parseLsn('0/FFFFFFFF')).toBe(true);
  });

  it('refuses what is not a WAL position', () => {
    expect(() => parseLsn('')).toThrow('not a WAL position');
    expect(() => parseLsn('12345')).toThrow('not a WAL position');
  });
});
