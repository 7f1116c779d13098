import type { EpcRole, HistoryEntry, StoredEventView } from '@pharmatrace/persistence';
import { eventHash, hashDigest } from 'pharmatrace-verify';

let nextId = 1;

/**
 * A stored event whose hash is its body's real CBV 2.0 hash (current rules), so a verifier recomputing it agrees.
 * `body` is the EPCIS event; the columns are read from it as capture stores them.
 */
export function storedEvent(capturedBy: string, body: Record<string, unknown>, fields: Partial<StoredEventView> = {}): StoredEventView {
  const full: Record<string, unknown> = { eventTimeZoneOffset: '+00:00', ...body };
  const id = (v: unknown) => (v && typeof v === 'object' ? ((v as { id?: string }).id ?? null) : null);
  return {
    id: nextId++,
    hash: Buffer.from(hashDigest(eventHash(full).hash)),
    eventType: String(full.type),
    action: (full.action as string) ?? null,
    bizStep: (full.bizStep as string) ?? null,
    disposition: (full.disposition as string) ?? null,
    eventTime: new Date(String(full.eventTime)),
    recordTime: new Date(String(full.eventTime)),
    readPoint: id(full.readPoint),
    bizLocation: id(full.bizLocation),
    capturedBy,
    body: full,
    ignoreFields: [],
    hashRules: 3,
    corrections: [],
    batchId: null,
    leafIndex: null,
    batch: null,
    ...fields,
  };
}

/** PackRepository in memory: each pack's history as given, and the lot each pack was commissioned in. */
export class FakePacks {
  readonly histories = new Map<string, HistoryEntry[]>();
  readonly lots = new Map<string, string>();
  lotLookups = 0;

  /** The pack's own events, in the order given (the repository orders by event time). */
  own(epc: string, ...events: StoredEventView[]): this {
    const role: EpcRole = 'epc';
    this.histories.set(epc, [...(this.histories.get(epc) ?? []), ...events.map((event) => ({ event, via: epc, role, parent: null }))]);
    return this;
  }

  /** Who each history was read as (replica routing reads an organization's own writes where they are). */
  readonly readings: (string | null)[] = [];

  async history(epc: string, reading: string | null): Promise<HistoryEntry[]> {
    this.readings.push(reading);
    return this.histories.get(epc) ?? [];
  }

  async lotOf(epc: string): Promise<string | null> {
    this.lotLookups++;
    return this.lots.get(epc) ?? null;
  }
}

/** ProvenanceRepository's one question: who owns a GTIN. */
export class FakeProducts {
  readonly manufacturers = new Map<string, string>();
  lookups = 0;

  async manufacturerOf(gtin: string | null): Promise<string | null> {
    this.lookups++;
    return (gtin && this.manufacturers.get(gtin)) ?? null;
  }
}
