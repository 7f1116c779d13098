import type { EventCriteria } from './repositories/event-query.repository';

/**
 * EventCriteria as JSON and back, for criteria stored with a named query: the API parses a query once, the worker runs
 * what it parsed. Dates and byte strings (event hashes) are tagged, so any field the criteria grow keeps its type.
 */
export function encodeCriteria(criteria: EventCriteria): string {
  return JSON.stringify(criteria, function (this: Record<string, unknown>, key: string, value: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return { $date: raw.toISOString() };
    if (Buffer.isBuffer(raw)) return { $bytes: raw.toString('hex') };
    return value;
  });
}

export function decodeCriteria(json: string): EventCriteria {
  return JSON.parse(json, (_key, value: unknown) => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const tagged = value as Record<string, unknown>;
      const keys = Object.keys(tagged);
      if (keys.length === 1 && typeof tagged.$date === 'string') return new Date(tagged.$date);
      if (keys.length === 1 && typeof tagged.$bytes === 'string') return Buffer.from(tagged.$bytes, 'hex');
    }
    return value;
  }) as EventCriteria;
}
