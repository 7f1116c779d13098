import 'reflect-metadata';
import { INestApplication, INestApplicationContext, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { AnvilInstance, deployAnchorRegistry } from '@pharmatrace/chain';
import { AppConfig, loadConfig } from '@pharmatrace/config';
import { gs1CheckDigit } from '@pharmatrace/gs1';
import request from 'supertest';
import { ApiModule } from '../../apps/api/src/api.module';
import { CLOCK, Clock } from '../../apps/api/src/common/clock';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { createTestDatabase } from './database';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** Quiet logs, and any free port for the worker's metrics so spec files running side by side never collide. */
export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({ NODE_ENV: 'test', ADMIN_TOKEN, PORT: '0', LOG_SQL: 'false', LOG_LEVEL: 'silent', WORKER_METRICS_PORT: '0', ...overrides });
}

/** A migrated database of its own for the calling spec file, dropped after it. */
export function useDatabase(): () => string {
  let db: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  return () => db!.url;
}

/** `clock`: the server's clock the API runs on (CLOCK), for tests that stand at another moment. */
export async function startApi(config: AppConfig, options: { clock?: Clock } = {}): Promise<INestApplication> {
  const builder = Test.createTestingModule({ imports: [ApiModule.forRoot(config)] });
  if (options.clock) builder.overrideProvider(CLOCK).useValue(options.clock);
  const moduleRef = await builder.compile();
  const app = moduleRef.createNestApplication({ logger: ['error', 'warn'] });
  await app.init();
  return app;
}

export async function startWorker(config: AppConfig): Promise<INestApplicationContext> {
  const logger: LogLevel[] = process.env.TEST_LOGS ? ['log', 'error', 'warn', 'debug'] : ['error', 'warn'];
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
  await app.init();
  return app;
}

/** Deploys a fresh registry on the given anvil; account 0 administers, account 1 anchors. */
export async function deployRegistry(anvil: AnvilInstance) {
  const [admin, anchorer] = anvil.accounts;
  const deployed = await deployAnchorRegistry({ rpcUrl: anvil.rpcUrl, privateKey: admin.privateKey, anchorer: anchorer.address });
  return {
    CHAIN_RPC_URL: anvil.rpcUrl,
    CHAIN_ID: String(anvil.chainId),
    ANCHOR_CONTRACT_ADDRESS: deployed.address,
    ANCHORER_PRIVATE_KEY: anchorer.privateKey,
  };
}

export interface GqlResult<T = any> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, any> }[];
  status: number;
}

export async function gql<T = any>(app: INestApplication, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResult<T>> {
  const req = request(app.getHttpServer()).post('/graphql').send({ query, variables });
  if (token) req.set('Authorization', `Bearer ${token}`);
  const res = await req;
  return { ...res.body, status: res.status };
}

const CREATE_ORG = `mutation($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { apiKey organization { id name role gln companyPrefixes } }
}`;

export async function createOrganization(
  app: INestApplication,
  input: { name: string; role: string; gln: string; companyPrefixes?: string[] },
): Promise<{ apiKey: string; id: string; gln: string }> {
  const res = await gql(app, CREATE_ORG, { input: { companyPrefixes: [], ...input } }, ADMIN_TOKEN);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  return { apiKey: res.data.createOrganization.apiKey, id: res.data.createOrganization.organization.id, gln: input.gln };
}

/** Appends the GS1 check digit. */
export const withCheckDigit = (digits: string) => digits + gs1CheckDigit(digits);

export const CAPTURE = `mutation($document: JSON!) { captureEpcisDocument(document: $document) { capturedCount duplicateCount eventHashes } }`;
