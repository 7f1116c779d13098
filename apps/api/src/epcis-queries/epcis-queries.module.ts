import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { EpcisRequestMiddleware } from '../epcis-rest/epcis-request.middleware';
import { EpcisServingService } from '../epcis-rest/epcis-serving.service';
import { EventsModule } from '../events/events.module';
import { EpcisQueriesController } from './epcis-queries.controller';
import { AuthGuard } from '../common/auth.guard';
import { EpcisSubscriptionsController } from './epcis-subscriptions.controller';
import { EpcisWebSocketServer } from './epcis-websocket.server';
import { NamedQueryService } from './named-query.service';
import { SubscriptionService } from './subscription.service';
import { SubscriptionStreamService } from './subscription-stream.service';

/** The REST binding's named queries and their subscriptions (docs/subscriptions.md). */
@Module({
  imports: [EventsModule],
  controllers: [EpcisQueriesController, EpcisSubscriptionsController],
  // AuthGuard as a provider of its own: WebSocket upgrades bypass Nest's guards, and are judged by the same code.
  providers: [NamedQueryService, SubscriptionService, SubscriptionStreamService, EpcisWebSocketServer, AuthGuard, EpcisServingService],
})
export class EpcisQueriesModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(EpcisRequestMiddleware).forRoutes(EpcisQueriesController, EpcisSubscriptionsController);
  }
}
