import { Module } from '@nestjs/common';
import { CaptureModule } from '../capture/capture.module';
import { VerificationModule } from '../verification/verification.module';
import { DispensingResolver } from './dispensing.resolver';
import { DispensingService } from './dispensing.service';

@Module({ imports: [CaptureModule, VerificationModule], providers: [DispensingService, DispensingResolver] })
export class DispensingModule {}
