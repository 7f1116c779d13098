import { Field, ID, ObjectType } from '@nestjs/graphql';
import type { StoredApiKey } from '@pharmatrace/persistence';

@ObjectType('ApiKey', { description: 'An API key: its metadata only, the secret is shown once when the key is created.' })
export class ApiKeyType {
  @Field(() => ID) id: string;
  @Field(() => ID) organizationId: string;
  @Field() name: string;
  @Field() createdAt: Date;
  @Field({ nullable: true, description: 'To the minute' }) lastUsedAt?: Date;
  @Field({ nullable: true, description: 'Set at creation, or by rotation to the end of the grace period' }) expiresAt?: Date;
  @Field({ nullable: true }) revokedAt?: Date;
  @Field({ nullable: true, description: 'ORGANIZATION or OPERATOR' }) revokedBy?: string;
  @Field(() => ID, { nullable: true, description: 'The key that replaced this one by rotation' }) replacedBy?: string;
  @Field({ description: 'Neither revoked nor expired' }) active: boolean;

  static from(key: StoredApiKey, now: Date): ApiKeyType {
    return Object.assign(new ApiKeyType(), {
      id: key.id,
      organizationId: key.organizationId,
      name: key.name,
      createdAt: key.createdAt,
      lastUsedAt: key.lastUsedAt ?? undefined,
      expiresAt: key.expiresAt ?? undefined,
      revokedAt: key.revokedAt ?? undefined,
      revokedBy: key.revokedBy ?? undefined,
      replacedBy: key.replacedBy ?? undefined,
      active: !key.revokedAt && (!key.expiresAt || key.expiresAt > now),
    });
  }
}

@ObjectType()
export class ApiKeySecretPayload {
  @Field(() => ApiKeyType) key: ApiKeyType;
  @Field({ description: 'Shown once: only its hash is stored. Send it as "Authorization: Bearer <apiKey>".' }) apiKey: string;
}
