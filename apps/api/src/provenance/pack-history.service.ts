import { Injectable } from '@nestjs/common';
import { PackRepository, StoredEventView } from '@pharmatrace/persistence';

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
 * ADD … DELETE), the container's events in that span, recursively. One query whatever the nesting depth.
 */
@Injectable()
export class PackHistoryService {
  constructor(private readonly packs: PackRepository) {}

  history(epc: string): Promise<HistoryEvent[]> {
    return this.packs.history(epc);
  }
}
