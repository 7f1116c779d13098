import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { createRedis, type RedisConnection, untagged } from '@pharmatrace/persistence';

/**
 * What a process caches that another process may change: an API key (by id), an organization's read grants (grantee
 * id), an organization (by id: its signing address and whether it requires signed captures), the trading partners
 * and their licences (TradingPartnerLoader; the id is ignored).
 */
const CACHED_KINDS = ['apiKey', 'grants', 'organization', 'tradingPartners'] as const;
export type CachedKind = (typeof CACHED_KINDS)[number];
const isCachedKind = (kind: unknown): kind is CachedKind => (CACHED_KINDS as readonly unknown[]).includes(kind);

interface Message {
  from: string;
  kind: CachedKind;
  id: string;
}

/**
 * Forgets a cached entry in this process at once and, through Redis pub/sub, in every other API process, so a key
 * revoked or a grant withdrawn on one process is obeyed on all from their next request, not after their cache's
 * minute. Pub/sub works alike on one Redis and on a Redis Cluster (a PUBLISH reaches every node's subscribers).
 * While Redis is down the other processes still forget within their own bounds (the minute's TTL, the revoked-key
 * poll): this only makes it sooner.
 */
@Injectable()
export class CacheInvalidation implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CacheInvalidation.name);
  private readonly me = randomUUID();
  private readonly channel: string;
  private readonly handlers = new Map<CachedKind, ((id: string) => void)[]>();
  private publisher?: RedisConnection;
  private subscriber?: RedisConnection;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.channel = `${untagged(config.queuePrefix)}:invalidate`;
  }

  /** Registers how this process forgets one kind of entry. */
  on(kind: CachedKind, forget: (id: string) => void): void {
    this.handlers.set(kind, [...(this.handlers.get(kind) ?? []), forget]);
  }

  onModuleInit(): void {
    const options = { maxRetriesPerRequest: 0, enableOfflineQueue: false, connectTimeout: 2_000 };
    this.publisher = createRedis(this.config, options);
    this.publisher.on('error', () => undefined);
    // A subscriber queues its SUBSCRIBE until connected, and subscribes again after each reconnect.
    this.subscriber = createRedis(this.config, { ...options, enableOfflineQueue: true });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('message', (_channel: string, text: string) => this.receive(text));
    this.subscriber.subscribe(this.channel).catch((e: Error) => this.logger.warn(`cache invalidation not subscribed: ${e.message}`));
  }

  onModuleDestroy(): void {
    this.publisher?.disconnect();
    this.subscriber?.disconnect();
  }

  /** Forgets here, then tells the other processes. */
  forget(kind: CachedKind, id: string): void {
    this.apply(kind, id);
    const message: Message = { from: this.me, kind, id };
    this.publisher?.publish(this.channel, JSON.stringify(message)).catch((e: Error) => {
      this.logger.warn(`other processes forget ${kind} ${id} within their cache's own bound: ${e.message}`);
    });
  }

  private receive(text: string): void {
    try {
      const message = JSON.parse(text) as Message;
      // Every kind: an organization's own entry (its signing rules) was once left out here, and another process kept
      // taking unsigned captures of an organization that required signed ones for up to its cache's minute.
      if (message.from !== this.me && isCachedKind(message.kind) && typeof message.id === 'string') this.apply(message.kind, message.id);
    } catch {
      // Not ours: anyone with access to Redis may publish; a message that is not JSON changes nothing.
    }
  }

  private apply(kind: CachedKind, id: string): void {
    for (const forget of this.handlers.get(kind) ?? []) forget(id);
  }
}
