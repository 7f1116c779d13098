import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { EpcisRequestMiddleware } from '../epcis-rest/epcis-request.middleware';
import { EventsModule } from '../events/events.module';
import { EpcisQueriesController } from './epcis-queries.controller';
import { NamedQueryService } from './named-query.service';

/** The REST binding's named queries (docs/subscriptions.md). */
@Module({
  imports: [EventsModule],
  controllers: [EpcisQueriesController],
  providers: [NamedQueryService],
})
export class EpcisQueriesModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(EpcisRequestMiddleware).forRoutes(EpcisQueriesController);
  }
}
