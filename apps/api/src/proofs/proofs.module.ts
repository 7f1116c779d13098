import { Module } from '@nestjs/common';
import { AnchoringModule } from '../anchoring/anchoring.module';
import { ProvenanceModule } from '../provenance/provenance.module';
import { SignatureModule } from '../signatures/signature.module';
import { ProofBundleController } from './proof-bundle.controller';
import { ProofBundleResolver } from './proof-bundle.resolver';
import { ProofBundleService } from './proof-bundle.service';

@Module({
  imports: [AnchoringModule, ProvenanceModule, SignatureModule],
  controllers: [ProofBundleController],
  providers: [ProofBundleService, ProofBundleResolver],
})
export class ProofsModule {}
