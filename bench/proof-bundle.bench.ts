import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { deployAnchorRegistry, startAnvil } from '@pharmatrace/chain';
import { loadConfig } from '@pharmatrace/config';
import { commissioningEvent, epcisDocument, packingEvent, receivingEvent, shippingEvent, unpackingEvent } from '@pharmatrace/epcis';
import { gs1CheckDigit } from '@pharmatrace/gs1';
import { ApiModule } from '../apps/api/src/api.module';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { createBenchDatabase } from './bench-db';
import type { BenchRow } from './bench.types';

const ADMIN = 'bench-admin-token-0123456789';
const withCheck = (d: string) => d + gs1CheckDigit(d);

/**
 * Proof bundle size per event for a pack with a realistic history (commissioned in a lot of 1,000 packs, packed in a
 * case and on a pallet, shipped, received, broken down, shipped on and received), anchored in one batch holding
 * the whole lot's events, so Merkle proofs have their real length.
 */
export async function benchProofBundle(): Promise<BenchRow[]> {
  const anvil = await startAnvil({ port: 0 });
  const db = await createBenchDatabase('bundle');
  const [admin, anchorer] = anvil.accounts;
  const { address } = await deployAnchorRegistry({
    rpcUrl: anvil.rpcUrl,
    privateKey: admin.privateKey,
    anchorer: anchorer.address,
    chainId: anvil.chainId,
  });
  const config = loadConfig({
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    ADMIN_TOKEN: ADMIN,
    CHAIN_RPC_URL: anvil.rpcUrl,
    CHAIN_ID: String(anvil.chainId),
    ANCHOR_CONTRACT_ADDRESS: address,
    ANCHORER_PRIVATE_KEY: anchorer.privateKey,
    BATCH_MAX_WAIT_MS: '500',
    WORKER_TICK_MS: '200',
    QUEUE_PREFIX: `bench-bundle-${process.pid}-${Date.now()}`,
  });
  const api = await NestFactory.create<NestExpressApplication>(ApiModule.forRoot(config), { logger: ['error'] });
  const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error'] });
  try {
    api.useBodyParser('json', { limit: '50mb' });
    await api.listen(0, '127.0.0.1');
    await worker.init();
    const base = (await api.getUrl()).replace('[::1]', '127.0.0.1');
    const gql = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors).slice(0, 400));
      return body.data;
    };
    const org = async (name: string, role: string, gln: string, prefixes: string[] = []) =>
      (
        await gql(ADMIN, `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { apiKey } }`, {
          i: { name, role, gln, companyPrefixes: prefixes },
        })
      ).createOrganization.apiKey as string;
    const maker = await org('maker', 'MANUFACTURER', withCheck('061414100001'), ['0614141']);
    const regulator = await org('regulator', 'REGULATOR', withCheck('061414100005'));
    // Shipments go to a licensed addressee under the default LICENCE_ENFORCEMENT=refuse: the maker ships to itself.
    const licence = await gql(maker, `mutation($i: AddLicenceInput!) { addLicence(input: $i) { id } }`, {
      i: {
        type: 'Wholesale licence',
        issuingAuthority: 'Bench Board',
        number: 'BENCH-1',
        validFrom: '2000-01-01T00:00:00Z',
        validUntil: '2100-01-01T00:00:00Z',
      },
    });
    await gql(regulator, `mutation($id: ID!) { verifyLicence(id: $id) { id } }`, { id: licence.addLicence.id });
    const toMaker = 'urn:epc:id:pgln:0614141.00001';
    const gtin = withCheck('0061414107346');
    const packs = Array.from({ length: 1000 }, (_, i) => `https://id.gs1.org/01/${gtin}/21/B${i}`);
    const cases = Array.from({ length: 10 }, (_, i) => `urn:epc:id:sscc:0614141.${i}${String(i).padStart(9, '0')}`);
    const pallet = 'urn:epc:id:sscc:0614141.9999999999';
    let t = Date.UTC(2026, 0, 1);
    const at = () => new Date((t += 60_000));
    const capture = (events: Record<string, unknown>[]) =>
      gql(maker, `mutation($d: JSON!) { captureEpcisDocument(document: $d) { capturedCount } }`, { d: epcisDocument(events) });
    const lotEvents = [
      ...Array.from({ length: 10 }, (_, i) =>
        commissioningEvent({ eventTime: at(), epcs: packs.slice(i * 100, i * 100 + 100), lot: 'L1', expiry: '2029-12-31' }),
      ),
      ...cases.map((c, i) => packingEvent({ eventTime: at(), parent: c, children: packs.slice(i * 100, i * 100 + 100) })),
      packingEvent({ eventTime: at(), parent: pallet, children: cases }),
      shippingEvent({ eventTime: at(), epcs: [pallet], to: toMaker }),
      receivingEvent({ eventTime: at(), epcs: [pallet] }),
      unpackingEvent({ eventTime: at(), parent: pallet }),
      shippingEvent({ eventTime: at(), epcs: [cases[0]], to: toMaker }),
      receivingEvent({ eventTime: at(), epcs: [cases[0]] }),
    ];
    await capture(lotEvents);
    const epc = packs[3];
    for (;;) {
      const v = await gql(regulator, `query($c: String!) { verify(code: $c) { checkedOnChain } }`, { c: epc });
      if (v.verify.checkedOnChain) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const res = await fetch(`${base}/proofs/${encodeURIComponent(epc)}`, { headers: { authorization: `Bearer ${regulator}` } });
    const text = await res.text();
    const bundle = JSON.parse(text) as { events: { merkle?: { proof: string[] } }[] };
    const events = bundle.events.length;
    const proofLength = bundle.events[0]?.merkle?.proof.length ?? 0;
    return [
      {
        name: 'proof bundle size per event',
        value: Math.round(text.length / events),
        unit: 'bytes',
        note: `${events} events, ${text.length} bytes in all, unsigned, JSON`,
      },
      {
        name: 'Merkle proof length in that bundle',
        value: proofLength,
        unit: 'hashes',
        note: `one batch of ${lotEvents.length} events; ⌈log2 n⌉ hashes of 66 hex characters: 14 at 10,000 events a batch, 20 at 1M`,
      },
    ];
  } finally {
    await worker.close();
    await api.close();
    await anvil.stop();
    await db.drop();
  }
}

if (require.main === module) benchProofBundle().then((rows) => console.table(rows));
