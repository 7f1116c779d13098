import { Module } from '@nestjs/common';
import { ReadGrantResolver } from './read-grant.resolver';
import { ReadGrantService } from './read-grant.service';

@Module({ providers: [ReadGrantService, ReadGrantResolver] })
export class ReadGrantModule {}
