import { Injectable, Logger } from '@nestjs/common';
import type { ApiKeyRevoker } from '@pharmatrace/persistence';

/** What happened to a key, by whom; never its secret. The operator acts for any organization. */
export interface ApiKeyEvent {
  readonly type: 'CREATED' | 'ROTATED' | 'REVOKED';
  readonly keyId: string;
  readonly organizationId: string;
  readonly actor: ApiKeyRevoker;
  /** ROTATED: the new key. */
  readonly replacedBy?: string;
  readonly at: Date;
}

export type ApiKeyListener = (event: ApiKeyEvent) => void | Promise<void>;

/**
 * Announces key creation, rotation and revocation after they commit, for whoever records them (the audit log
 * subscribes). A listener that fails is logged and does not undo the change the caller was told about.
 */
@Injectable()
export class ApiKeyEvents {
  private readonly logger = new Logger(ApiKeyEvents.name);
  private readonly listeners: ApiKeyListener[] = [];

  subscribe(listener: ApiKeyListener): void {
    this.listeners.push(listener);
  }

  async publish(event: ApiKeyEvent): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(event);
      } catch (e) {
        this.logger.error(`API key ${event.type} of ${event.keyId} not recorded: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}
