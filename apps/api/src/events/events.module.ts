import { Module } from '@nestjs/common';
import { EventQueryService } from './event-query.service';
import { EventVocabularyService } from './event-vocabulary.service';
import { EventsResolver } from './events.resolver';

@Module({
  providers: [EventQueryService, EventVocabularyService, EventsResolver],
  exports: [EventQueryService, EventVocabularyService],
})
export class EventsModule {}
