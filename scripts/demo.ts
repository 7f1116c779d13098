/**
 * `npm run demo`: a realistic day against the running platform (`npm start` first). A board of pharmacy verifies the
 * licences of three trading partners (none may trade without one). A manufacturer commissions a
 * lot of 1,000 packs, packs them into 10 cases on a pallet and ships the pallet to a distributor, who receives it,
 * breaks it down and ships one case of 100 packs to a pharmacy, which receives them. Then it waits for the
 * anchoring to be final on chain, verifies a pack and prints the verdict, its proof, the organizations' API keys
 * (development data) and scan strings to paste with them. The API and admin token default to what `npm start`
 * recorded in <data folder>/services.json. Exit 0 on success, 2 when it could not run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commissioningEvent, epcisDocument, packingEvent, receivingEvent, shippingEvent, unpackingEvent } from '@pharmatrace/epcis';
import { epcToUrn, gs1CheckDigit } from '@pharmatrace/gs1';
import { dataDirOf, readServices, withDevServices } from './dev-services/services.manifest';

const DATA_DIR = dataDirOf(process.env);
const ENV = withDevServices(process.env, readServices(DATA_DIR));
const API = ENV.API_URL ?? `http://localhost:${ENV.PORT ?? 3000}/graphql`;
const PREFIX_LENGTH = 7;

function adminToken(): string {
  if (ENV.ADMIN_TOKEN) return ENV.ADMIN_TOKEN;
  try {
    return readFileSync(join(DATA_DIR, 'admin-token'), 'utf8').trim();
  } catch {
    throw new Error(`no ADMIN_TOKEN in the environment and none in ${DATA_DIR}/admin-token: start the platform with npm start first`);
  }
}

async function gql<T = any>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(API, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  }).catch(() => {
    throw new Error(`cannot reach ${API}: is the platform running (npm start)?`);
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(body.errors.map((e) => e.message).join('; '));
  return body.data!;
}

const withCheck = (digits: string) => digits + gs1CheckDigit(digits);
const random = (digits: number) => Array.from({ length: digits }, () => Math.floor(Math.random() * 10)).join('');

async function main() {
  const admin = adminToken();
  const prefix = `0${random(6)}`;
  const gln = (n: number) => withCheck(`${prefix}0000${n}`.slice(0, 12));
  const pgln = (g: string) => epcToUrn({ kind: 'pgln', gln: g }, PREFIX_LENGTH);
  const sgln = (g: string) => epcToUrn({ kind: 'sgln', gln: g }, PREFIX_LENGTH);
  const create = async (name: string, role: string, g: string, companyPrefixes: string[] = []) =>
    (
      await gql(admin, `mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { apiKey organization { id } } }`, {
        i: { name, role, gln: g, companyPrefixes },
      })
    ).createOrganization.apiKey as string;

  const makerGln = gln(1);
  const wholesalerGln = gln(2);
  const pharmacyGln = gln(3);
  const maker = await create('ACME Pharma', 'MANUFACTURER', makerGln, [prefix]);
  const wholesaler = await create('Northern Wholesale', 'DISTRIBUTOR', wholesalerGln);
  const pharmacy = await create('Corner Pharmacy', 'DISPENSER', pharmacyGln);
  // Trading partners trade only on a licence a regulator verified (LICENCE_ENFORCEMENT=refuse by default).
  const regulator = await create('Board of Pharmacy', 'REGULATOR', gln(4));
  const licences: [string, string, string][] = [
    [maker, 'FDA establishment registration', 'US Food and Drug Administration'],
    [wholesaler, 'State wholesale distributor licence', 'State Board of Pharmacy'],
    [pharmacy, 'Pharmacy licence', 'State Board of Pharmacy'],
  ];
  for (const [key, type, issuingAuthority] of licences) {
    const input = {
      type,
      issuingAuthority,
      number: `DEMO-${random(6)}`,
      validFrom: new Date().toISOString(),
      validUntil: new Date(Date.now() + 365 * 86_400_000).toISOString(),
    };
    const { addLicence } = await gql(key, `mutation($i: AddLicenceInput!) { addLicence(input: $i) { id } }`, { i: input });
    await gql(regulator, `mutation($id: ID!) { verifyLicence(id: $id) { status } }`, { id: addLicence.id });
  }
  console.log('licences: each trading partner declared one and the Board of Pharmacy verified it');
  console.log(`organizations: ACME Pharma ${makerGln}, Northern Wholesale ${wholesalerGln}, Corner Pharmacy ${pharmacyGln}`);
  // Development data made for this run: printed so its scan strings can be tried in the scanner page or GraphiQL.
  console.log('API keys (header "Authorization: Bearer <key>"; the pharmacy\'s is the one to scan with):');
  console.log(`  ACME Pharma         ${maker}`);
  console.log(`  Northern Wholesale  ${wholesaler}`);
  console.log(`  Corner Pharmacy     ${pharmacy}`);

  const gtin = withCheck(`0${prefix}${random(12 - prefix.length)}`);
  const lot = `L${random(5)}`;
  const expiry = new Date(Date.UTC(new Date().getUTCFullYear() + 2, 5, 30));
  const expiryIso = expiry.toISOString().slice(0, 10);
  const serial = (i: number) => `S${String(i).padStart(6, '0')}${random(4)}`;
  const packs = Array.from({ length: 1000 }, (_, i) => `https://id.gs1.org/01/${gtin}/21/${serial(i)}`);
  const cases = Array.from({ length: 10 }, (_, i) => `urn:epc:id:sscc:${prefix}.${i}${random(9)}`);
  const pallet = `urn:epc:id:sscc:${prefix}.${random(10)}`;

  const capture = async (token: string, events: Record<string, unknown>[]) =>
    (await gql(token, `mutation($d: JSON!) { captureEpcisDocument(document: $d) { capturedCount } }`, { d: epcisDocument(events) }))
      .captureEpcisDocument.capturedCount as number;
  let t = Date.now() - 60 * 60_000;
  const at = () => new Date((t += 60_000));

  const plant = sgln(makerGln);
  let n = await capture(maker, [
    ...Array.from({ length: 10 }, (_, i) =>
      commissioningEvent({
        eventTime: at(),
        epcs: packs.slice(i * 100, i * 100 + 100),
        lot,
        expiry: expiryIso,
        bizLocation: plant,
        readPoint: plant,
      }),
    ),
    ...cases.map((c, i) => packingEvent({ eventTime: at(), parent: c, children: packs.slice(i * 100, i * 100 + 100), bizLocation: plant })),
    packingEvent({ eventTime: at(), parent: pallet, children: cases, bizLocation: plant }),
    shippingEvent({ eventTime: at(), epcs: [pallet], from: pgln(makerGln), to: pgln(wholesalerGln), bizLocation: plant }),
  ]);
  console.log(
    `manufacturer: commissioned 1,000 packs of GTIN ${gtin} lot ${lot}, packed 10 cases on pallet ${pallet}, shipped (${n} events)`,
  );

  const warehouse = sgln(wholesalerGln);
  n = await capture(wholesaler, [
    receivingEvent({ eventTime: at(), epcs: [pallet], from: pgln(makerGln), to: pgln(wholesalerGln), bizLocation: warehouse }),
    unpackingEvent({ eventTime: at(), parent: pallet, bizLocation: warehouse }),
    shippingEvent({ eventTime: at(), epcs: [cases[0]], from: pgln(wholesalerGln), to: pgln(pharmacyGln), bizLocation: warehouse }),
  ]);
  console.log(`distributor: received the pallet, broke it down, shipped case ${cases[0]} (100 packs) to the pharmacy (${n} events)`);

  n = await capture(pharmacy, [
    receivingEvent({ eventTime: at(), epcs: [cases[0]], from: pgln(wholesalerGln), to: pgln(pharmacyGln), bizLocation: sgln(pharmacyGln) }),
  ]);
  console.log(`pharmacy: received the case (${n} event)`);

  const pack = packs[7];
  const VERIFY = `query($c: String!) { verify(code: $c) { status saleable alerts epc product { gtin serial lot expiry } custodian { name gln } container anchored checkedOnChain } }`;
  process.stdout.write('waiting for the batch to be anchored and final on chain');
  const deadline = Date.now() + 180_000;
  let verdict: any;
  for (;;) {
    verdict = (await gql(pharmacy, VERIFY, { c: pack })).verify;
    if (verdict.checkedOnChain) break;
    if (Date.now() > deadline) throw new Error('anchoring did not become final within 3 minutes: is the worker running?');
    process.stdout.write('.');
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log('\n\nverdict:', JSON.stringify(verdict, null, 2));

  const prov = await gql(
    maker,
    `query($e: String!) { provenance(epc: $e) { events { bizStep via eventHash proof { eventDigest merkleProof root batchId chainId contractAddress transactionHash blockNumber status } } } }`,
    { e: pack },
  );
  console.log(`\nprovenance: ${prov.provenance.events.map((e: any) => e.bizStep).join(' → ')}`);
  console.log('proof of the commissioning event:', JSON.stringify(prov.provenance.events[0].proof, null, 2));

  const yymmdd = expiryIso.slice(2).replaceAll('-', '');
  const s = verdict.product.serial;
  console.log(`\npaste one of these into verify(code: …) or the scanner page, with the Corner Pharmacy key ${pharmacy}:`);
  console.log(`  bracketed:    (01)${gtin}(17)${yymmdd}(10)${lot}(21)${s}`);
  console.log(`  Digital Link: https://id.gs1.org/01/${gtin}/10/${lot}/21/${s}?17=${yymmdd}`);
  console.log(
    `  DataMatrix:   ${JSON.stringify(`]d201${gtin}17${yymmdd}10${lot}\u001d21${s}`)}  (JSON string: \\u001d is the GS separator)`,
  );
}

main().catch((e) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : e}`);
  process.exit(2);
});
