import { Module } from '@nestjs/common';
import { CaseNotificationDeliveryService } from './case-notification-delivery.service';
import { SubscriptionDeliveryService } from './subscription-delivery.service';
import { SubscriptionQueue } from './subscription.queue';
import { WebhookClient } from './webhook.client';

/** Webhook delivery of query subscriptions (docs/subscriptions.md) and of case notifications to partners (docs/cases.md). */
@Module({
  providers: [WebhookClient, SubscriptionDeliveryService, CaseNotificationDeliveryService, SubscriptionQueue],
  exports: [SubscriptionDeliveryService, CaseNotificationDeliveryService],
})
export class SubscriptionsModule {}
