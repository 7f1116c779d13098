import { Module } from '@nestjs/common';
import { EventQueryService } from './event-query.service';
import { EventsResolver } from './events.resolver';

@Module({
  providers: [EventQueryService, EventsResolver],
  exports: [EventQueryService],
})
export class EventsModule {}
