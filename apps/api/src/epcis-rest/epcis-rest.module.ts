import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { CaptureModule } from '../capture/capture.module';
import { CaptureStreamService } from '../capture/capture-stream.service';
import { ProceedCaptureService } from '../capture/proceed-capture.service';
import { EventsModule } from '../events/events.module';
import { LicenceModule } from '../licences/licence.module';
import { CaptureJobService } from './capture-job.service';
import { EpcisCaptureController } from './epcis-capture.controller';
import { EpcisEventsController } from './epcis-events.controller';
import { EpcisRequestMiddleware } from './epcis-request.middleware';
import { EpcisServingService } from './epcis-serving.service';

/** The GS1 EPCIS 2.0 REST binding: capture and events. */
@Module({
  imports: [CaptureModule, EventsModule, LicenceModule],
  controllers: [EpcisCaptureController, EpcisEventsController],
  providers: [CaptureJobService, CaptureStreamService, ProceedCaptureService, EpcisServingService],
})
export class EpcisRestModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(EpcisRequestMiddleware).forRoutes(EpcisCaptureController, EpcisEventsController);
  }
}
