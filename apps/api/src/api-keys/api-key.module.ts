import { Module } from '@nestjs/common';
import { ApiKeyAudit } from './api-key.audit';
import { ApiKeyEvents } from './api-key.events';
import { ApiKeyResolver } from './api-key.resolver';
import { ApiKeyService } from './api-key.service';

@Module({ providers: [ApiKeyResolver, ApiKeyService, ApiKeyEvents, ApiKeyAudit], exports: [ApiKeyService, ApiKeyEvents] })
export class ApiKeyModule {}
