import { Module } from '@nestjs/common';
import { SubscriptionDeliveryService } from './subscription-delivery.service';
import { SubscriptionQueue } from './subscription.queue';
import { WebhookClient } from './webhook.client';

/** Webhook delivery of query subscriptions (docs/subscriptions.md). */
@Module({
  providers: [WebhookClient, SubscriptionDeliveryService, SubscriptionQueue],
  exports: [SubscriptionDeliveryService],
})
export class SubscriptionsModule {}
