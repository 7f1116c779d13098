import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { CaptureModule } from '../capture/capture.module';
import { CaptureStreamService } from '../capture/capture-stream.service';
import { ProceedCaptureService } from '../capture/proceed-capture.service';
import { EventsModule } from '../events/events.module';
import { LicenceModule } from '../licences/licence.module';
import { WebModule } from '../web/web.module';
import { CaptureJobService } from './capture-job.service';
import { EpcisCaptureController } from './epcis-capture.controller';
import { EpcisDiscoveryController } from './epcis-discovery.controller';
import { EpcisEventsController } from './epcis-events.controller';
import { EpcisOpenApiController } from './epcis-openapi.controller';
import { EpcisOpenApiService } from './epcis-openapi.service';
import { EpcisRequestMiddleware } from './epcis-request.middleware';
import { EpcisServingService } from './epcis-serving.service';

/** The GS1 EPCIS 2.0 REST binding: capture, events, discovery and browsing. */
@Module({
  imports: [CaptureModule, EventsModule, LicenceModule, WebModule],
  controllers: [EpcisCaptureController, EpcisEventsController, EpcisDiscoveryController, EpcisOpenApiController],
  providers: [CaptureJobService, CaptureStreamService, ProceedCaptureService, EpcisServingService, EpcisOpenApiService],
})
export class EpcisRestModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(EpcisRequestMiddleware).forRoutes(EpcisCaptureController, EpcisEventsController, EpcisDiscoveryController);
  }
}
