import { INestApplication } from '@nestjs/common';
import { EVENT_BATCH_DOMAIN, EVENT_BATCH_TYPES } from '@pharmatrace/domain';
import { commissioningEvent, epcisDocument, eventHashes, hashDigest, shippingEvent } from '@pharmatrace/epcis';
import { Wallet } from 'ethers';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { checkSignature } from '../../packages/verify/src/signature.check';
import { standardsDir } from '@pharmatrace/gs1';
import { createOrganization, gql, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';
import { withOwnEventIds } from '../support/stale-event-ids';
import { waitFor } from '../support/wait';

const GTIN = withCheckDigit('0061414107346');
const SITE = 'urn:epc:id:sgln:0614141.00777.0';
const MAKER_GLN = withCheckDigit('061414100001');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const t = (minute: number) => new Date(Date.UTC(2026, 10, 1, 8, minute));

const SIGNED_CAPTURE = `mutation($document: JSON!, $signature: String) {
  captureEpcisDocument(document: $document, signature: $signature) { capturedCount duplicateCount eventHashes }
}`;
const REGISTER = `mutation($address: String!, $require: Boolean) {
  registerSigningAddress(address: $address, requireSignedCaptures: $require) { ethAddress requireSignedCaptures }
}`;

/** A document of two events: commissioning then shipping of the given packs. */
const documentOf = (serials: string[], minute: number) =>
  epcisDocument([
    commissioningEvent({ eventTime: t(minute), epcs: serials.map(pack), lot: 'L1', expiry: '2028-12-31', bizLocation: SITE }),
    shippingEvent({ eventTime: t(minute + 1), epcs: serials.map(pack), readPoint: SITE }),
  ]);

/** What a partner does: hash its events (any CBV 2.0 implementation) and sign the digests with EIP-712. */
const sign = (wallet: Pick<Wallet, 'signTypedData'>, document: unknown, gln = MAKER_GLN) =>
  wallet.signTypedData(EVENT_BATCH_DOMAIN, EVENT_BATCH_TYPES, {
    organization: gln,
    eventHashes: eventHashes(document).map((h) => `0x${Buffer.from(hashDigest(h.hash)).toString('hex')}`),
  });

describe('signed captures (EIP-712, issue 6)', () => {
  let app: INestApplication;
  let maker: { apiKey: string; id: string };
  let unsignedMaker: { apiKey: string; id: string };
  const wallet = Wallet.createRandom();
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    maker = await createOrganization(app, { name: 'ACME Pharma', role: 'MANUFACTURER', gln: MAKER_GLN, companyPrefixes: ['0614141'] });
    unsignedMaker = await createOrganization(app, {
      name: 'Other Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('095060000134'),
      companyPrefixes: ['9506000'],
    });
  });

  const capture = (document: unknown, signature?: string, key = maker.apiKey) => gql(app, SIGNED_CAPTURE, { document, signature }, key);
  const query = async (sql: string, params: unknown[] = []) => {
    const c = new Client({ connectionString: dbUrl() });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows;
    } finally {
      await c.end();
    }
  };
  const eventCount = async () => Number((await query(`SELECT count(*) FROM event`))[0].count);
  const refusal = (res: { errors?: { extensions?: { code?: string; details?: { rule?: string } } }[] }) => ({
    code: res.errors?.[0].extensions?.code,
    rule: res.errors?.[0].extensions?.details?.rule,
  });

  it('registers a signing address, checking its EIP-55 checksum', async () => {
    // 0x17c5185167401eD00cF5F5b2fc97D9BBfDb7D025 with one letter's case flipped.
    const badChecksum = '0x17c5185167401ED00cF5F5b2fc97D9BBfDb7D025';
    expect((await gql(app, REGISTER, { address: badChecksum }, maker.apiKey)).errors?.[0].extensions?.code).toBe('INVALID_ORGANIZATION');
    const registered = await gql(app, REGISTER, { address: wallet.address.toLowerCase() }, maker.apiKey);
    expect(registered.data.registerSigningAddress).toEqual({ ethAddress: wallet.address, requireSignedCaptures: false });
  });

  it('stores a document signed by the registered address, with its signature, and puts it in the proof bundle', async () => {
    const document = documentOf(['S1', 'S2'], 0);
    const res = await capture(document, await sign(wallet, document));
    expect(res.errors).toBeUndefined();
    expect(res.data.captureEpcisDocument.capturedCount).toBe(2);

    const rows = await query(
      `SELECT s.signer, cardinality(s.event_hashes) AS n FROM event e JOIN capture_signature s ON s.id = e.signature_id`,
    );
    expect(rows).toEqual([
      { signer: wallet.address, n: 2 },
      { signer: wallet.address, n: 2 },
    ]);

    const bundle = await request(app.getHttpServer())
      .get(`/proofs/${encodeURIComponent(pack('S1'))}`)
      .set('Authorization', `Bearer ${maker.apiKey}`);
    expect(bundle.status).toBe(200);
    expect(bundle.body.events).toHaveLength(2);
    for (const e of bundle.body.events) {
      expect(e.signature.signer).toBe(wallet.address);
      const digest = `0x${Buffer.from(hashDigest(e.eventHash)).toString('hex')}`;
      expect(checkSignature(e.signature, e.eventHash, digest)).toEqual({ ok: true, signer: wallet.address });
    }
  });

  it('refuses a signature by another key, storing nothing', async () => {
    const document = documentOf(['S3'], 10);
    const before = await eventCount();
    expect(refusal(await capture(document, await sign(Wallet.createRandom(), document)))).toEqual({
      code: 'INVALID_SIGNATURE',
      rule: 'SIGNER_MISMATCH',
    });
    expect(await eventCount()).toBe(before);
  });

  it('refuses a signature over other event hashes or for another organization, storing nothing', async () => {
    const document = documentOf(['S4'], 20);
    const before = await eventCount();
    expect(refusal(await capture(document, await sign(wallet, documentOf(['S5'], 20))))).toEqual({
      code: 'INVALID_SIGNATURE',
      rule: 'SIGNER_MISMATCH',
    });
    expect(refusal(await capture(document, await sign(wallet, document, withCheckDigit('095060000134'))))).toMatchObject({
      rule: 'SIGNER_MISMATCH',
    });
    expect(refusal(await capture(document, '0x1234'))).toEqual({ code: 'INVALID_SIGNATURE', rule: 'MALFORMED' });
    expect(await eventCount()).toBe(before);
  });

  it('accepts unsigned captures, and a signature only from an organization that registered an address', async () => {
    expect((await capture(documentOf(['S6'], 30))).data.captureEpcisDocument.capturedCount).toBe(2);
    const theirs = epcisDocument([
      commissioningEvent({
        eventTime: t(40),
        epcs: [`https://id.gs1.org/01/${withCheckDigit('0950600013435')}/21/X1`],
        lot: 'L',
        expiry: '2028-12-31',
      }),
    ]);
    expect(refusal(await capture(theirs, await sign(wallet, theirs), unsignedMaker.apiKey))).toEqual({
      code: 'INVALID_SIGNATURE',
      rule: 'NO_SIGNING_ADDRESS',
    });
    expect(await query(`SELECT count(*)::int AS n FROM event WHERE signature_id IS NULL`)).toEqual([{ n: 2 }]);
  });

  it('takes the signature in the X-Pharmatrace-Signature header of POST /epcis/capture', async () => {
    const http = () => request(app.getHttpServer());
    const post = (document: unknown, signature: string) =>
      http()
        .post('/epcis/capture')
        .set('Authorization', `Bearer ${maker.apiKey}`)
        .set('Content-Type', 'application/ld+json')
        .set('X-Pharmatrace-Signature', signature)
        .send(JSON.stringify(document));
    const outcome = async (location: string) => {
      let job: any;
      await waitFor(async () => !(job = (await http().get(location).set('Authorization', `Bearer ${maker.apiKey}`)).body).running);
      return job;
    };

    const good = documentOf(['R1'], 50);
    const accepted = await post(good, await sign(wallet, good));
    expect(accepted.status).toBe(202);
    expect(await outcome(accepted.headers.location)).toMatchObject({ success: true, errors: [] });
    expect(await query(`SELECT count(*)::int AS n FROM event WHERE signature_id IS NOT NULL`)).toEqual([{ n: 4 }]);

    const forged = documentOf(['R2'], 55);
    const refused = await outcome((await post(forged, await sign(Wallet.createRandom(), forged))).headers.location);
    expect(refused).toMatchObject({
      success: false,
      errors: [{ type: 'epcisException:SecurityException', code: 'INVALID_SIGNATURE', rule: 'SIGNER_MISMATCH' }],
    });

    const malformed = await post(forged, 'not-a-signature');
    expect(malformed.status).toBe(401);
    expect(malformed.body).toMatchObject({ type: 'epcisException:SecurityException', code: 'INVALID_SIGNATURE', rule: 'MALFORMED' });
  });

  it("accepts a document with ILMD signed over the hashes GS1's reference generator published for it", async () => {
    // The vector restates cbvmda inline, as docs/event-hash-divergences.md asks of signing partners (row D1): the
    // reference's own output (the .hashes file, not ours) is what the partner signs.
    const vectors = path.join(standardsDir(), 'cbv-event-hash');
    const document = withOwnEventIds(JSON.parse(readFileSync(path.join(vectors, 'epcisDocWithVariousEventTypes.jsonld'), 'utf8')));
    expect(JSON.stringify(document)).toContain('cbvmda:');
    const published = readFileSync(path.join(vectors, 'epcisDocWithVariousEventTypes.hashes'), 'utf8').split('\n').filter(Boolean);
    const partnerWallet = Wallet.createRandom();
    const partner = await createOrganization(app, {
      name: 'Vector Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('401234500001'),
      companyPrefixes: ['4012345', '4000001', '4047023'],
    });
    expect((await gql(app, REGISTER, { address: partnerWallet.address }, partner.apiKey)).errors).toBeUndefined();
    const signature = await partnerWallet.signTypedData(EVENT_BATCH_DOMAIN, EVENT_BATCH_TYPES, {
      organization: withCheckDigit('401234500001'),
      eventHashes: published.map((h) => `0x${Buffer.from(hashDigest(h)).toString('hex')}`),
    });
    const res = await capture(document, signature, partner.apiKey);
    expect(res.errors).toBeUndefined();
    expect(res.data.captureEpcisDocument.eventHashes).toEqual(published);
  });

  it('refuses unsigned captures once the organization requires signatures', async () => {
    await gql(app, REGISTER, { address: wallet.address, require: true }, maker.apiKey);
    const document = documentOf(['Q1'], 59);
    expect(refusal(await capture(document))).toEqual({ code: 'INVALID_SIGNATURE', rule: 'SIGNATURE_REQUIRED' });
    expect((await capture(document, await sign(wallet, document))).data.captureEpcisDocument.capturedCount).toBe(2);
  });
});
