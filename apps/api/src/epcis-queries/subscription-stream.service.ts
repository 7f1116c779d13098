import type { Organization } from '@pharmatrace/domain';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { nextRun } from '@pharmatrace/epcis';
import { EventPosition, EventQueryRepository, NamedQuery, NamedQueryRepository, SubscriptionRepository } from '@pharmatrace/persistence';
import { Clock, CLOCK } from '../common/clock';
import { EpcisServingService } from '../epcis-rest/epcis-serving.service';
import { ReadPolicyService } from '../policy/read-policy.service';
import type { SubscriptionControls } from './subscription.controls';

/** Where a stream's documents go: a WebSocket in production. */
export interface StreamSink {
  /** Resolves once the document is handed to the connection. */
  send(document: string): Promise<void>;
  /** Bytes sent but not yet written out: a slow client is not sent more until it has caught up. */
  readonly backlog: number;
  close(code: number, reason: string): void;
}

/** A client that has not taken 8 MiB it was sent is not sent more until it has. */
const MAX_BACKLOG = 8 * 1024 * 1024;
/** WebSocket close code (private range) for a stream whose query was deleted. */
export const QUERY_DELETED_CLOSE = 4404;

/**
 * WebSocket subscriptions of a named query (GET /epcis/queries/{name}/events with Upgrade: websocket): while the
 * connection lasts, the API process polls every SUBSCRIPTION_TICK_MS and sends each new matching event once, in the
 * order of the visibility horizon as webhook deliveries do; a scheduled stream sends at each time of its schedule.
 * The position lives with the connection: a client that reconnects starts again (from its initialRecordTime).
 * Read policy: the caller's, at every poll.
 */
@Injectable()
export class SubscriptionStreamService {
  private readonly logger = new Logger(SubscriptionStreamService.name);

  constructor(
    private readonly queries: NamedQueryRepository,
    private readonly subscriptions: SubscriptionRepository,
    private readonly events: EventQueryRepository,
    private readonly policy: ReadPolicyService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly serving: EpcisServingService,
  ) {}

  /** Starts feeding `sink`; the answer stops it (the connection closed). */
  async open(org: Organization, query: NamedQuery, controls: SubscriptionControls, sink: StreamSink): Promise<() => void> {
    const { tickMs, batchEvents } = this.config.subscriptions;
    const start = this.clock();
    const from = controls.initialRecordTime ?? start;
    // As a webhook subscription starts: at the horizon unless initialRecordTime reaches into the past.
    let position: EventPosition = from < start ? { xid: '0', eventId: 0 } : await this.subscriptions.horizon();
    let nextRunAt = controls.compiled ? nextRun(controls.compiled, start) : null;
    const floor = query.criteria.recordTimeFrom && query.criteria.recordTimeFrom > from ? query.criteria.recordTimeFrom : from;
    let busy = false;
    let stopped = false;
    const stop = () => {
      stopped = true;
      clearInterval(timer);
    };

    const poll = async () => {
      if (busy || stopped || sink.backlog > MAX_BACKLOG) return;
      busy = true;
      try {
        const current = await this.queries.byName(org.id, query.name);
        if (current?.id !== query.id) {
          stop();
          sink.close(QUERY_DELETED_CLOSE, `query ${query.name} was deleted`);
          return;
        }
        const now = this.clock();
        if (nextRunAt && now < nextRunAt) return;
        const visibleTo = await this.policy.eventVisibility(org);
        for (let sent = 0; !stopped; sent++) {
          const { events, resumeAt } = await this.events.afterPosition(
            { ...query.criteria, recordTimeFrom: floor, visibleTo },
            position,
            batchEvents,
          );
          if (events.length || (nextRunAt && controls.reportIfEmpty && sent === 0)) {
            // As captured, like the worker's webhook deliveries of the same subscription.
            const served = await this.serving.queryDocument(events, 'Never_Translates', query.name);
            await sink.send(JSON.stringify(served.body));
          }
          position = resumeAt;
          if (events.length < batchEvents) break;
        }
        if (controls.compiled && nextRunAt) nextRunAt = nextRun(controls.compiled, now);
      } catch (e) {
        this.logger.warn(`stream of query ${query.name}: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void poll(), tickMs);
    void poll();
    return stop;
  }
}
