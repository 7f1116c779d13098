import { Inject, Injectable } from '@nestjs/common';
import { ApiKeyRepository, ApiKeyRevoker, StoredApiKey } from '@pharmatrace/persistence';
import { generateApiKey, hashApiKey } from '../common/api-key';
import { AuthError, AuthErrorCode } from '../common/auth.error';
import { OrganizationDirectory } from '../common/organization.directory';
import { CLOCK, Clock } from '../common/clock';
import { Principal } from '../common/principal';
import { ApiKeyError, ApiKeyErrorCode } from './api-key.error';
import { ApiKeyEvents } from './api-key.events';
import { ApiKeySecretPayload, ApiKeyType } from './api-key.types';

/** A day: long enough to roll a new key out to every scanner of a pharmacy chain. */
export const DEFAULT_GRACE_SECONDS = 86_400;
const MAX_GRACE_SECONDS = 30 * 86_400;
const MAX_NAME_LENGTH = 100;

/** Keys of an organization, managed by the organization itself or by the operator for any organization. */
@Injectable()
export class ApiKeyService {
  constructor(
    private readonly apiKeys: ApiKeyRepository,
    private readonly directory: OrganizationDirectory,
    private readonly events: ApiKeyEvents,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async list(caller: Principal, organizationId: string | undefined): Promise<ApiKeyType[]> {
    const owner = await this.ownerFor(caller, organizationId);
    const now = this.clock();
    return (await this.apiKeys.list(owner)).map((k) => ApiKeyType.from(k, now));
  }

  async create(caller: Principal, input: { name: string; expiresAt?: Date; organizationId?: string }): Promise<ApiKeySecretPayload> {
    const owner = await this.ownerFor(caller, input.organizationId);
    const name = input.name.trim();
    if (!name || name.length > MAX_NAME_LENGTH) throw this.invalid('name', `must be 1 to ${MAX_NAME_LENGTH} characters`);
    if (input.expiresAt && input.expiresAt <= this.clock()) throw this.invalid('expiresAt', 'must be in the future');
    const apiKey = generateApiKey();
    const key = await this.apiKeys.create({ organizationId: owner, name, hash: hashApiKey(apiKey), expiresAt: input.expiresAt ?? null });
    await this.events.publish({ type: 'CREATED', keyId: key.id, organizationId: owner, actor: actorOf(caller), at: key.createdAt });
    return { key: ApiKeyType.from(key, this.clock()), apiKey };
  }

  /** A new secret under the same name; the old one keeps working for `graceSeconds`, then answers API_KEY_EXPIRED. */
  async rotate(caller: Principal, id: string, graceSeconds = DEFAULT_GRACE_SECONDS): Promise<ApiKeySecretPayload> {
    if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > MAX_GRACE_SECONDS) {
      throw this.invalid('graceSeconds', `must be a whole number of seconds from 0 to ${MAX_GRACE_SECONDS}`);
    }
    await this.keyOf(caller, id);
    const apiKey = generateApiKey();
    const rotated = await this.apiKeys.rotate(id, hashApiKey(apiKey), new Date(this.clock().getTime() + graceSeconds * 1000));
    if (!rotated) throw this.notActive(id);
    this.directory.forgetApiKey(id);
    const { old, created } = rotated;
    await this.events.publish({
      type: 'ROTATED',
      keyId: old.id,
      organizationId: old.organizationId,
      actor: actorOf(caller),
      replacedBy: created.id,
      at: created.createdAt,
    });
    return { key: ApiKeyType.from(created, this.clock()), apiKey };
  }

  /** Refused at once on this API process, and within REVOCATION_POLL_MS on the others. */
  async revoke(caller: Principal, id: string): Promise<ApiKeyType> {
    await this.keyOf(caller, id);
    const revoked = await this.apiKeys.revoke(id, actorOf(caller));
    if (!revoked) throw this.notActive(id);
    this.directory.forgetApiKey(id);
    await this.events.publish({
      type: 'REVOKED',
      keyId: id,
      organizationId: revoked.organizationId,
      actor: actorOf(caller),
      at: revoked.revokedAt!,
    });
    return ApiKeyType.from(revoked, this.clock());
  }

  /** A key the caller may manage; another organization's is answered as absent. */
  private async keyOf(caller: Principal, id: string): Promise<StoredApiKey> {
    const key = await this.apiKeys.findById(id);
    if (!key || (caller.kind === 'organization' && key.organizationId !== caller.organization.id)) {
      throw new ApiKeyError(ApiKeyErrorCode.API_KEY_NOT_FOUND, `no API key ${id}`, { id });
    }
    return key;
  }

  private async ownerFor(caller: Principal, organizationId: string | undefined): Promise<string> {
    if (caller.kind === 'organization') {
      if (organizationId !== undefined && organizationId !== caller.organization.id) {
        throw new AuthError(AuthErrorCode.FORBIDDEN, "an organization manages its own keys; the operator manages any organization's");
      }
      return caller.organization.id;
    }
    if (!organizationId) throw this.invalid('organizationId', 'the operator names the organization whose keys it manages');
    if (!(await this.directory.byIds([organizationId]).catch(() => new Map())).has(organizationId)) {
      throw this.invalid('organizationId', `no organization ${organizationId}`);
    }
    return organizationId;
  }

  private notActive(id: string) {
    return new ApiKeyError(ApiKeyErrorCode.API_KEY_NOT_ACTIVE, `API key ${id} is revoked, expired or already rotated`, { id });
  }

  private invalid(field: string, rule: string) {
    return new ApiKeyError(ApiKeyErrorCode.INVALID_API_KEY_INPUT, `${field}: ${rule}`, { field, rule });
  }
}

const actorOf = (caller: Principal): ApiKeyRevoker => (caller.kind === 'admin' ? 'OPERATOR' : 'ORGANIZATION');
