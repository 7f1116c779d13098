import { Module } from '@nestjs/common';
import { RecallResolver } from './recall.resolver';
import { RecallService } from './recall.service';

@Module({ providers: [RecallService, RecallResolver] })
export class RecallModule {}
