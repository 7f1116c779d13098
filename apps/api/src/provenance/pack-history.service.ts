import { Injectable } from '@nestjs/common';
import { PackRepository, StoredEventView } from '@pharmatrace/persistence';

/** Aggregation nesting deeper than pallet → case → pack is rare; the bound only stops a malformed cycle. */
const MAX_DEPTH = 8;

export interface HistoryEvent {
  event: StoredEventView;
  /** The EPC through which the event reaches the pack: the pack itself, or the case or pallet holding it then. */
  via: string;
  /** The role `via` plays in the event (epc, parent, child, input, output), and the event's parent if it aggregates. */
  role: string;
  parent: string | null;
}

/**
 * A pack's history: its own events plus, for each span in which it sat in a case or pallet (AggregationEvent
 * ADD … DELETE), the container's events in that span, recursively. One index range scan per container visited.
 */
@Injectable()
export class PackHistoryService {
  constructor(private readonly packs: PackRepository) {}

  async history(epc: string): Promise<HistoryEvent[]> {
    const via = new Map<number, Omit<HistoryEvent, 'event'>>();
    await this.collect(epc, null, null, 0, via);
    const events = await this.packs.events([...via.keys()]);
    return events.map((event) => ({ event, ...via.get(event.id)! }));
  }

  private async collect(epc: string, from: Date | null, to: Date | null, depth: number, via: Map<number, Omit<HistoryEvent, 'event'>>): Promise<void> {
    const timeline = await this.packs.timeline(epc, from, to);
    const spans: { parent: string; start: Date; end: Date | null }[] = [];
    const open = new Map<string, Date>();
    for (const entry of timeline) {
      if (!via.has(entry.eventId)) via.set(entry.eventId, { via: epc, role: entry.role, parent: entry.parent });
      if (entry.role !== 'child' || entry.eventType !== 'AggregationEvent' || !entry.parent) continue;
      if (entry.action === 'ADD' && !open.has(entry.parent)) open.set(entry.parent, entry.eventTime);
      if (entry.action === 'DELETE' && open.has(entry.parent)) {
        spans.push({ parent: entry.parent, start: open.get(entry.parent)!, end: entry.eventTime });
        open.delete(entry.parent);
      }
    }
    for (const [parent, start] of open) spans.push({ parent, start, end: to });
    if (depth >= MAX_DEPTH) return;
    for (const span of spans) {
      // The DELETE itself names the pack, so the container's window is half-open and still includes it.
      const end = span.end ? new Date(span.end.getTime() + 1) : null;
      await this.collect(span.parent, span.start, end, depth + 1, via);
    }
  }
}
