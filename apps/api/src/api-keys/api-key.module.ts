import { Module } from '@nestjs/common';
import { ApiKeyEvents } from './api-key.events';
import { ApiKeyResolver } from './api-key.resolver';
import { ApiKeyService } from './api-key.service';

@Module({ providers: [ApiKeyResolver, ApiKeyService, ApiKeyEvents], exports: [ApiKeyService, ApiKeyEvents] })
export class ApiKeyModule {}
