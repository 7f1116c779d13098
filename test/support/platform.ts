import 'reflect-metadata';
import { INestApplication, INestApplicationContext, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { AnvilInstance, deployAnchorRegistry } from '@pharmatrace/chain';
import { AppConfig, loadConfig } from '@pharmatrace/config';
import { gs1CheckDigit } from '@pharmatrace/gs1';
import request from 'supertest';
import { ApiModule } from '../../apps/api/src/api.module';
import { CLOCK, Clock } from '../../apps/api/src/common/clock';
import { ExpressServerAdapter } from '../../apps/api/src/common/express-server.adapter';
import { useJsonBodyParser } from '../../apps/api/src/common/json-body.parser';
import { useSecurityHeaders } from '../../apps/api/src/common/security.headers';
import { KeyGate } from '../../apps/api/src/rate-limits/key-gate.middleware';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { createTestDatabase } from './database';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/**
 * Quiet logs, and any free port for the worker's metrics so spec files running side by side never collide. Rate
 * limits out of reach: specs fire many requests from one key and one address (rate-limit.spec.ts sets its own).
 */
export const GENEROUS_RATE_LIMITS = {
  RATE_LIMIT_PER_KEY_PER_MINUTE: '1000000',
  RATE_LIMIT_VERIFY_PER_KEY_PER_MINUTE: '1000000',
  RATE_LIMIT_PER_IP_PER_MINUTE: '1000000',
  AUTH_FAILURES_PER_IP: '1000000',
};

export function testConfig(overrides: Record<string, string> = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    ADMIN_TOKEN,
    PORT: '0',
    LOG_SQL: 'false',
    LOG_LEVEL: 'silent',
    WORKER_METRICS_PORT: '0',
    // Every query the suite repeats runs compiled and in graphql-js, and must answer the same (issue 15).
    GRAPHQL_COMPARE_EXECUTION: 'true',
    // Subscription specs deliver to a receiver on this machine; subscriptions.spec checks the default refuses it.
    SUBSCRIPTION_ALLOW_PRIVATE_DESTINATIONS: 'true',
    // Hundreds of apps boot in the suite: each would open 20 connections and plan the hot statements 120 times.
    // connection-priming.spec primes.
    DATABASE_PRIME_CONNECTIONS: 'false',
    ...GENEROUS_RATE_LIMITS,
    ...overrides,
  });
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
  // As main.ts builds it: requests and responses made with Express's prototypes (ExpressServerAdapter).
  const app = moduleRef.createNestApplication(new ExpressServerAdapter(), { logger: ['error', 'warn'] });
  useSecurityHeaders(app as NestExpressApplication);
  // As main.ts does: before the body parsers, which init() registers.
  app.use(app.get(KeyGate).handle);
  useJsonBodyParser(app as NestExpressApplication);
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

export async function gql<T = any>(
  app: INestApplication,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<GqlResult<T>> {
  const req = request(app.getHttpServer()).post('/graphql').send({ query, variables });
  if (token) req.set('Authorization', `Bearer ${token}`);
  const res = await req;
  return { ...res.body, status: res.status };
}

const CREATE_ORG = `mutation($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { apiKey organization { id name role gln companyPrefixes } }
}`;

/**
 * Registers an organization the way the operator does. A trading partner (any role but REGULATOR) also gets a licence
 * verified by a regulator, so specs ship and receive under the product's default LICENCE_ENFORCEMENT=refuse; pass
 * `licensed: false` for one that has none.
 */
export async function createOrganization(
  app: INestApplication,
  input: { name: string; role: string; gln: string; companyPrefixes?: string[]; licensed?: boolean },
): Promise<{ apiKey: string; id: string; gln: string }> {
  const { licensed = true, ...fields } = input;
  const res = await gql(app, CREATE_ORG, { input: { companyPrefixes: [], ...fields } }, ADMIN_TOKEN);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
  const org = { apiKey: res.data.createOrganization.apiKey, id: res.data.createOrganization.organization.id, gln: input.gln };
  if (licensed && input.role !== 'REGULATOR') await licenceOf(app, org.apiKey, input.name);
  return org;
}

export const ADD_LICENCE = `mutation($input: AddLicenceInput!) { addLicence(input: $input) { id status valid } }`;
export const VERIFY_LICENCE = `mutation($id: ID!) { verifyLicence(id: $id) { id status valid verifiedBy } }`;

/** The regulator verifying the support's licences, registered once per API under a GLN no spec uses. */
const licensingAuthorities = new WeakMap<INestApplication, Promise<string>>();

function licensingAuthority(app: INestApplication): Promise<string> {
  let key = licensingAuthorities.get(app);
  if (!key) {
    const input = {
      name: 'Licensing Authority (test support)',
      role: 'REGULATOR',
      gln: withCheckDigit('099999999999'),
      companyPrefixes: [],
    };
    key = gql(app, CREATE_ORG, { input }, ADMIN_TOKEN).then((res) => {
      if (res.errors) throw new Error(JSON.stringify(res.errors));
      return res.data.createOrganization.apiKey as string;
    });
    licensingAuthorities.set(app, key);
  }
  return key;
}

/** Declares a wholesale licence for the organization behind `apiKey`, valid 2000–2100, and has it verified. */
export async function licenceOf(app: INestApplication, apiKey: string, holder: string): Promise<string> {
  const input = {
    type: 'State wholesale licence',
    issuingAuthority: 'Test Board of Pharmacy',
    number: `TEST-${holder}`,
    validFrom: '2000-01-01T00:00:00Z',
    validUntil: '2100-01-01T00:00:00Z',
  };
  const added = await gql(app, ADD_LICENCE, { input }, apiKey);
  if (added.errors) throw new Error(JSON.stringify(added.errors));
  const verified = await gql(app, VERIFY_LICENCE, { id: added.data.addLicence.id }, await licensingAuthority(app));
  if (verified.errors) throw new Error(JSON.stringify(verified.errors));
  return added.data.addLicence.id;
}

/** Appends the GS1 check digit. */
export const withCheckDigit = (digits: string) => digits + gs1CheckDigit(digits);

export const CAPTURE = `mutation($document: JSON!) { captureEpcisDocument(document: $document) { capturedCount duplicateCount eventHashes } }`;

/**
 * POSTs `chunks` to the EPCIS capture endpoint of the API at `base` as a chunked body (no Content-Length), so the
 * binding streams it rather than buffering it.
 */
export function postStreamedCapture(base: string, headers: Record<string, string>, chunks: Uint8Array[]): Promise<Response> {
  const pending = [...chunks];
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = pending.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
  });
  return fetch(`${base}/epcis/capture`, { method: 'POST', headers, body, duplex: 'half' } as RequestInit);
}

/**
 * The one event of a GET /epcis/events/{eventID} answer (an EPCISQueryDocument, as the binding says), with the
 * document's @context on it: what eventHash and a JSON-LD processor read as that event.
 */
export function oneEvent(document: { '@context': unknown; epcisBody: { queryResults: { resultsBody: { eventList: unknown[] } } } }) {
  const events = document.epcisBody.queryResults.resultsBody.eventList as Record<string, unknown>[];
  if (events.length !== 1) throw new Error(`expected one event, the answer holds ${events.length}`);
  return { '@context': document['@context'], ...events[0] } as Record<string, any>;
}
