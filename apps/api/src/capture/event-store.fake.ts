import type { ItemState } from '@pharmatrace/domain';
import type { Json } from '@pharmatrace/epcis';
import { ForeignCorrectionError, type NewEvent, type SqlRunner, type StateReducer } from '@pharmatrace/persistence';

/**
 * EventRepository.capture as one transaction over Maps: events unique by hash, corrections only by their capturer,
 * the caller's reducer fed the stored states of every EPC touched and what they contain, and nothing kept when the
 * reducer throws (a rollback).
 */
export class FakeEventStore {
  readonly events = new Map<string, { id: number; capturedBy: string; event: NewEvent }>();
  readonly states = new Map<string, ItemState>();
  readonly corrections: { eventId: number; declaredBy: string; at: string }[] = [];
  readonly signatures: unknown[] = [];
  private nextId = 1;

  private withContents(epcs: string[]): ItemState[] {
    const found = new Map<string, ItemState>();
    const visit = (epc: string) => {
      const state = this.states.get(epc);
      if (!state || found.has(epc)) return;
      found.set(epc, structuredClone(state));
      for (const s of this.states.values()) if (s.containerEpc === epc) visit(s.epc);
    };
    epcs.forEach(visit);
    return [...found.values()];
  }

  async capture(
    capturedBy: string,
    events: NewEvent[],
    reduce: StateReducer,
    signature?: unknown,
    alongside?: (tx: SqlRunner) => Promise<unknown>,
  ) {
    const seen = new Set<string>();
    const fresh = events.filter((e) => {
      const key = e.hash.toString('hex');
      if (seen.has(key) || this.events.has(key)) return false;
      seen.add(key);
      return true;
    });
    const declaring = events.filter((e) => e.errorDeclaration && !fresh.includes(e) && this.events.has(e.hash.toString('hex')));
    const foreign = declaring.filter((e) => this.events.get(e.hash.toString('hex'))!.capturedBy !== capturedBy);
    if (foreign.length) throw new ForeignCorrectionError(foreign.map((e) => e.documentIndex));
    const ids = fresh.map(() => this.nextId++);
    const facts = fresh.map((e, i) => ({ eventId: ids[i], ...e.facts }));
    const indexOf = new Map(ids.map((id, i) => [id, fresh[i].documentIndex]));
    const applied = fresh.length
      ? reduce(
          this.withContents([...new Set(fresh.flatMap((e) => e.epcs.map((x) => x.epc)))]),
          facts,
          (id) => indexOf.get(id) ?? -1,
          new Map(),
        )
      : { states: [] };
    await alongside?.({} as SqlRunner);
    // Only now, the reducer having accepted them: the commit.
    fresh.forEach((e, i) => this.events.set(e.hash.toString('hex'), { id: ids[i], capturedBy, event: e }));
    for (const s of applied.states) this.states.set(s.epc, s);
    const corrections = [];
    for (const e of declaring) {
      const eventId = this.events.get(e.hash.toString('hex'))!.id;
      const at = e.errorDeclaration!.declarationTime.toISOString();
      if (this.corrections.some((c) => c.eventId === eventId && c.at === at)) continue;
      this.corrections.push({ eventId, declaredBy: capturedBy, at });
      corrections.push({ id: this.corrections.length, eventId });
    }
    if (signature) this.signatures.push(signature);
    return { inserted: fresh.map((e, i) => ({ id: ids[i], hash: e.hash })), corrections, duplicates: [] };
  }

  /** The bodies of every stored event, in capture order. */
  bodies(): Json[] {
    return [...this.events.values()].map((e) => e.event.body as Json);
  }
}
