import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { EpcisRequestMiddleware } from '../epcis-rest/epcis-request.middleware';
import { EventsModule } from '../events/events.module';
import { EpcisQueriesController } from './epcis-queries.controller';
import { EpcisSubscriptionsController } from './epcis-subscriptions.controller';
import { NamedQueryService } from './named-query.service';
import { SubscriptionService } from './subscription.service';

/** The REST binding's named queries and their subscriptions (docs/subscriptions.md). */
@Module({
  imports: [EventsModule],
  controllers: [EpcisQueriesController, EpcisSubscriptionsController],
  providers: [NamedQueryService, SubscriptionService],
})
export class EpcisQueriesModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(EpcisRequestMiddleware).forRoutes(EpcisQueriesController, EpcisSubscriptionsController);
  }
}
