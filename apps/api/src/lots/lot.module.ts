import { Module } from '@nestjs/common';
import { CustodianCountResolver, LotPackResolver, LotResolver } from './lot.resolver';
import { LotService } from './lot.service';

@Module({ providers: [LotService, LotResolver, CustodianCountResolver, LotPackResolver] })
export class LotModule {}
