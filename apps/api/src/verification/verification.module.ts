import { Module } from '@nestjs/common';
import { DigitalLinkController } from './digital-link.controller';
import { DigitalLinkService } from './digital-link.service';
import { VerificationService } from './verification.service';
import { VerifyResolver } from './verify.resolver';
import { VrsController } from './vrs.controller';
import { VrsService } from './vrs.service';

@Module({
  controllers: [VrsController, DigitalLinkController],
  providers: [VerificationService, VerifyResolver, VrsService, DigitalLinkService],
  exports: [VerificationService],
})
export class VerificationModule {}
