import { Module } from '@nestjs/common';
import { ProvenanceModule } from '../provenance/provenance.module';
import { VerificationService } from './verification.service';
import { VerifyResolver } from './verify.resolver';

@Module({ imports: [ProvenanceModule], providers: [VerificationService, VerifyResolver] })
export class VerificationModule {}
