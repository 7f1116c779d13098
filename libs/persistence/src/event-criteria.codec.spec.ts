import { decodeCriteria, encodeCriteria } from './event-criteria.codec';
import type { EventCriteria } from './repositories/event-query.repository';

describe('stored event criteria', () => {
  it('come back with their dates and hashes as Date and Buffer', () => {
    const criteria: EventCriteria = {
      eventTypes: ['ObjectEvent'],
      recordTimeFrom: new Date('2026-01-02T03:04:05.678Z'),
      eventIds: { hashes: [Buffer.from('00ff10', 'hex')], declared: ['ni:///sha-256;00ff10'] },
      epcs: [{ exact: ['https://id.gs1.org/01/00614141123452/21/1'], prefixes: [], roles: ['epc', 'child'] }],
      visibleTo: undefined,
    };
    const back = decodeCriteria(encodeCriteria(criteria));
    expect(back.recordTimeFrom).toBeInstanceOf(Date);
    expect(back.recordTimeFrom?.toISOString()).toBe('2026-01-02T03:04:05.678Z');
    expect(Buffer.isBuffer(back.eventIds?.hashes[0])).toBe(true);
    expect(back.eventIds?.hashes[0].toString('hex')).toBe('00ff10');
    expect(back).toEqual({ ...criteria, visibleTo: undefined });
  });

  it('leave an object that merely holds a $date key among others as it is', () => {
    const odd = { transformationIds: ['x'], extra: { $date: 'not a date', other: 1 } } as unknown as EventCriteria;
    expect(decodeCriteria(encodeCriteria(odd))).toEqual(odd);
  });
});
