import { INestApplication } from '@nestjs/common';
import { ADMIN_TOKEN, createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const ME = `{ me { id } }`;
const KEYS = `query($org: ID) { apiKeys(organizationId: $org) { id name active expiresAt revokedAt revokedBy replacedBy lastUsedAt } }`;
const CREATE = `mutation($name: String!, $exp: DateTime, $org: ID) { createApiKey(name: $name, expiresAt: $exp, organizationId: $org) { apiKey key { id name active } } }`;
const ROTATE = `mutation($id: ID!, $grace: Int) { rotateApiKey(id: $id, graceSeconds: $grace) { apiKey key { id name } } }`;
const REVOKE = `mutation($id: ID!) { revokeApiKey(id: $id) { id active revokedBy } }`;
const codeOf = (r: { errors?: { extensions?: Record<string, any> }[] }) => r.errors?.[0]?.extensions?.code;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('API keys (real Postgres)', () => {
  const dbUrl = useDatabase();
  let app: INestApplication;
  let other: INestApplication;
  let org: { apiKey: string; id: string };

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    other = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    org = await createOrganization(app, { name: 'Pharmacy', role: 'DISPENSER', gln: withCheckDigit('061414100010'), licensed: false });
  });
  afterAll(async () => {
    await app?.close();
    await other?.close();
  });

  it('lists the first key as "default", creates named keys shown once, and records their last use off the request', async () => {
    const created = await gql(app, CREATE, { name: 'scanner 2' }, org.apiKey);
    expect(created.data.createApiKey).toMatchObject({ apiKey: expect.stringMatching(/^pt_/), key: { name: 'scanner 2', active: true } });
    expect((await gql(app, ME, {}, created.data.createApiKey.apiKey)).data.me.id).toBe(org.id);
    await sleep(1500);
    const keys = (await gql(app, KEYS, {}, org.apiKey)).data.apiKeys;
    expect(keys.map((k: { name: string }) => k.name)).toEqual(['default', 'scanner 2']);
    expect(keys[1].lastUsedAt).not.toBeNull();
    expect(JSON.stringify(keys)).not.toContain(created.data.createApiKey.apiKey);
  });

  it('refuses an expired key with API_KEY_EXPIRED and bad input with INVALID_API_KEY_INPUT', async () => {
    const created = await gql(app, CREATE, { name: 'short', exp: new Date(Date.now() + 1000).toISOString() }, org.apiKey);
    await sleep(1200);
    const res = await gql(app, ME, {}, created.data.createApiKey.apiKey);
    expect([res.status, codeOf(res)]).toEqual([200, 'API_KEY_EXPIRED']);
    expect(codeOf(await gql(app, CREATE, { name: ' ' }, org.apiKey))).toBe('INVALID_API_KEY_INPUT');
    expect(codeOf(await gql(app, CREATE, { name: 'x', exp: '2000-01-01T00:00:00Z' }, org.apiKey))).toBe('INVALID_API_KEY_INPUT');
  });

  it('rotates: the old key works during the grace period, then answers API_KEY_EXPIRED; a rotated key cannot rotate again', async () => {
    const { id } = (await gql(app, CREATE, { name: 'rotating' }, org.apiKey)).data.createApiKey.key;
    const oldKey = (await gql(app, KEYS, {}, org.apiKey)).data.apiKeys.find((k: { id: string }) => k.id === id);
    expect(oldKey.active).toBe(true);
    const created = await gql(app, CREATE, { name: 'rotating-2' }, org.apiKey);
    const secret = created.data.createApiKey.apiKey;
    const rotated = await gql(app, ROTATE, { id: created.data.createApiKey.key.id, grace: 1 }, org.apiKey);
    expect(rotated.data.rotateApiKey.key.name).toBe('rotating-2');
    expect((await gql(app, ME, {}, secret)).data.me.id).toBe(org.id);
    expect((await gql(app, ME, {}, rotated.data.rotateApiKey.apiKey)).data.me.id).toBe(org.id);
    await sleep(1200);
    expect(codeOf(await gql(app, ME, {}, secret))).toBe('API_KEY_EXPIRED');
    expect((await gql(app, ME, {}, rotated.data.rotateApiKey.apiKey)).data.me.id).toBe(org.id);
    expect(codeOf(await gql(app, ROTATE, { id: created.data.createApiKey.key.id }, org.apiKey))).toBe('API_KEY_NOT_ACTIVE');
  });

  it('revokes at once on this process and within the revocation poll on another one sharing the database', async () => {
    const created = (await gql(app, CREATE, { name: 'lost phone' }, org.apiKey)).data.createApiKey;
    expect((await gql(other, ME, {}, created.apiKey)).data.me.id).toBe(org.id);
    const revoked = await gql(app, REVOKE, { id: created.key.id }, org.apiKey);
    expect(revoked.data.revokeApiKey).toMatchObject({ active: false, revokedBy: 'ORGANIZATION' });
    expect(codeOf(await gql(app, ME, {}, created.apiKey))).toBe('API_KEY_REVOKED');
    await sleep(5500);
    expect(codeOf(await gql(other, ME, {}, created.apiKey))).toBe('API_KEY_REVOKED');
    expect(codeOf(await gql(app, REVOKE, { id: created.key.id }, org.apiKey))).toBe('API_KEY_NOT_ACTIVE');
  }, 15_000);

  it("lets the operator list, create and revoke any organization's keys, and no organization touch another's", async () => {
    const rival = await createOrganization(app, {
      name: 'Rival',
      role: 'DISTRIBUTOR',
      gln: withCheckDigit('061414100020'),
      licensed: false,
    });
    expect(codeOf(await gql(app, KEYS, { org: org.id }, rival.apiKey))).toBe('FORBIDDEN');
    const mine = (await gql(app, KEYS, {}, org.apiKey)).data.apiKeys[0];
    expect(codeOf(await gql(app, REVOKE, { id: mine.id }, rival.apiKey))).toBe('API_KEY_NOT_FOUND');
    expect(codeOf(await gql(app, KEYS, {}, ADMIN_TOKEN))).toBe('INVALID_API_KEY_INPUT');
    const byOperator = await gql(app, CREATE, { name: 'issued by operator', org: rival.id }, ADMIN_TOKEN);
    expect(byOperator.data.createApiKey.key.name).toBe('issued by operator');
    const revoked = await gql(app, REVOKE, { id: (await gql(app, KEYS, { org: rival.id }, ADMIN_TOKEN)).data.apiKeys[0].id }, ADMIN_TOKEN);
    expect(revoked.data.revokeApiKey.revokedBy).toBe('OPERATOR');
    expect(codeOf(await gql(app, ME, {}, rival.apiKey))).toBe('API_KEY_REVOKED');
    expect((await gql(app, ME, {}, byOperator.data.createApiKey.apiKey)).data.me.id).toBe(rival.id);
  });
});
