import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { commissioningEvent, epcisDocument, shippingEvent, statusChangeEvent } from '@pharmatrace/epcis';
import { getAddress, hexlify, randomBytes, Wallet } from 'ethers';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import request from 'supertest';
import type { ProofBundle } from '../../packages/verify/src/bundle.format';
import { verifyBundle } from '../../packages/verify/src/bundle.verifier';
import { main } from '../../packages/verify/src/cli';
import { ProblemCode } from '../../packages/verify/src/verification.report';
import { useAnvil } from '../support/anvil';
import {
  CAPTURE,
  createOrganization,
  deployRegistry,
  gql,
  startApi,
  startWorker,
  testConfig,
  useDatabase,
  withCheckDigit,
} from '../support/platform';
import { waitFor } from '../support/wait';

const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const PACK_URN = 'urn:epc:id:sgtin:0614141.007346.P1';
const tmp = mkdtempSync(join(tmpdir(), 'proof-bundle-'));
const run = promisify(execFile);
const randomAddress = () => getAddress(hexlify(randomBytes(20)));

const clone = (b: ProofBundle): ProofBundle => structuredClone(b);
const flip = (hex: string) => `${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`;

/** The CLI in process (fast), with what it prints. */
async function cli(bundle: unknown, rpc: string): Promise<{ code: number; out: string }> {
  const file = join(tmp, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(bundle));
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  try {
    return { code: await main([file, '--rpc', rpc]), out };
  } finally {
    spy.mockRestore();
  }
}

describe('proof bundle: served by the API, verified without trusting it', () => {
  let api: INestApplication;
  let worker: INestApplicationContext | undefined;
  let maker: { apiKey: string };
  let rpc: string;
  let honest: ProofBundle;
  // Declared first so it runs first: the apps stop before their database and chain go away.
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    rmSync(tmp, { recursive: true, force: true });
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();

  async function allFinal(count: number) {
    const db = new Client({ connectionString: dbUrl() });
    await db.connect();
    try {
      await waitFor(async () => {
        const { rows } = await db.query(
          `SELECT count(*) AS n FROM event e JOIN anchor_batch b ON b.id = e.batch_id WHERE b.status = 'FINAL'`,
        );
        return Number(rows[0].n) === count;
      }, 30_000);
    } finally {
      await db.end();
    }
  }

  const fetchBundle = async (path: string) => request(api.getHttpServer()).get(path).set('Authorization', `Bearer ${maker.apiKey}`);

  beforeAll(async () => {
    const chainEnv = await deployRegistry(anvil());
    rpc = chainEnv.CHAIN_RPC_URL;
    const config = testConfig({
      DATABASE_URL: dbUrl(),
      ...chainEnv,
      BATCH_MAX_WAIT_MS: '100',
      WORKER_TICK_MS: '100',
      QUEUE_PREFIX: `test-${process.pid}-${Date.now()}`,
    });
    api = await startApi(config);
    worker = await startWorker(config);
    maker = await createOrganization(api, {
      name: 'ACME',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    const t = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
    // Three events in the first batch, so the pack's commissioning proof has elements to tamper with.
    const first = epcisDocument([
      commissioningEvent({ eventTime: t(0), epcs: [pack('P1'), pack('P2')], lot: 'L1', expiry: '2028-01-31' }),
      commissioningEvent({ eventTime: t(1), epcs: [pack('Q1')], lot: 'L1', expiry: '2028-01-31' }),
      commissioningEvent({ eventTime: t(2), epcs: [pack('Q2')], lot: 'L1', expiry: '2028-01-31' }),
    ]);
    expect((await gql(api, CAPTURE, { document: first }, maker.apiKey)).errors).toBeUndefined();
    await allFinal(3);
    const second = epcisDocument([shippingEvent({ eventTime: t(3), epcs: [pack('P1')] })]);
    expect((await gql(api, CAPTURE, { document: second }, maker.apiKey)).errors).toBeUndefined();
    await allFinal(4);
    const res = await fetchBundle(`/proofs/${encodeURIComponent(pack('P1'))}`);
    expect(res.status).toBe(200);
    honest = res.body;
  });

  it('serves the same v1 bundle over REST (path or query, URN or Digital Link) and GraphQL', async () => {
    expect(honest).toMatchObject({ format: 'pharmatrace-proof-bundle', version: 1, epc: pack('P1') });
    expect(honest.events).toHaveLength(2);
    for (const e of honest.events) {
      expect(e.event['@context']).toBeDefined();
      expect(e.merkle).toMatchObject({ leafEncoding: ['bytes32'], root: expect.stringMatching(/^0x[0-9a-f]{64}$/) });
      expect(e.anchors).toEqual([
        expect.objectContaining({ chainId: anvil().chainId, status: 'FINAL', blockHash: expect.stringMatching(/^0x[0-9a-f]{64}$/) }),
      ]);
    }
    expect(honest.events[0].merkle!.proof.length).toBeGreaterThan(0);
    expect(honest.events[0].merkle!.root).not.toBe(honest.events[1].merkle!.root);
    const byQuery = await fetchBundle(`/proofs?epc=${encodeURIComponent(PACK_URN)}`);
    const graphql = await gql(api, `query($epc: String!) { proofBundle(epc: $epc) }`, { epc: PACK_URN }, maker.apiKey);
    const { generatedAt: _g, ...rest } = honest;
    expect(byQuery.body).toMatchObject(rest);
    expect(graphql.data.proofBundle).toMatchObject(rest);

    expect((await fetchBundle('/proofs/not-an-epc')).body).toMatchObject({ status: 400, title: 'INVALID_EPC' });
    expect((await fetchBundle(`/proofs/${encodeURIComponent(pack('ZZ9'))}`)).body).toMatchObject({ status: 404, title: 'NO_EVENTS' });
    expect((await request(api.getHttpServer()).get(`/proofs?epc=${PACK_URN}`)).status).toBe(401);
  });

  it('verifies the honest bundle as a library and as a command (exit 0)', async () => {
    const report = await verifyBundle(honest, { rpcUrls: rpc });
    expect(report.problems).toEqual([]);
    expect(report.outcome).toBe('VERIFIED');
    expect(report.events.every((e) => e.hashOk && e.proofOk && e.anchors[0].confirmations! >= 1)).toBe(true);

    const file = join(tmp, 'honest.json');
    writeFileSync(file, JSON.stringify(honest));
    const { stdout } = await run(process.execPath, ['-r', '@swc-node/register', 'packages/verify/src/cli.ts', file, '--rpc', rpc], {
      cwd: process.cwd(),
    });
    expect(stdout).toMatch(/VERIFIED: every event hash, Merkle proof and anchor checks out/);
    expect(stdout).toMatch(/ObjectEvent ADD commissioning/);
  });

  const other = () => honest.events[1];
  const tampered: [string, (b: ProofBundle) => void, ProblemCode[], RegExp][] = [
    [
      'event content',
      (b) => (b.events[0].event.eventTime = '2026-01-01T00:00:01.000Z'),
      [ProblemCode.EVENT_HASH_MISMATCH],
      /^event 0: eventHash does not match the event content/,
    ],
    [
      'eventHash',
      (b) => (b.events[0].eventHash = other().eventHash),
      [ProblemCode.EVENT_HASH_MISMATCH, ProblemCode.DIGEST_MISMATCH],
      /^event 0: merkle.value 0x\w+ is not the digest of eventHash/,
    ],
    [
      'merkle value',
      (b) => (b.events[0].merkle!.value = other().merkle!.value),
      [ProblemCode.DIGEST_MISMATCH, ProblemCode.PROOF_MISMATCH, ProblemCode.CONTRACT_REJECTS_PROOF],
      /^event 0: the Merkle proof leads from merkle.value to 0x\w+, not to root/,
    ],
    [
      'a proof element',
      (b) => (b.events[0].merkle!.proof[0] = flip(b.events[0].merkle!.proof[0])),
      [ProblemCode.PROOF_MISMATCH, ProblemCode.CONTRACT_REJECTS_PROOF],
      /^event 0 anchor on chain \d+: contract 0x\w+ verify\(proof, root, digest\) returned false/,
    ],
    [
      'root (another anchored root)',
      (b) => (b.events[0].merkle!.root = other().merkle!.root),
      [
        ProblemCode.PROOF_MISMATCH,
        ProblemCode.ANCHOR_BLOCK_MISMATCH,
        ProblemCode.TRANSACTION_ROOT_MISMATCH,
        ProblemCode.ANCHORED_LOG_MISSING,
        ProblemCode.CONTRACT_REJECTS_PROOF,
      ],
      /^event 0 anchor on chain \d+: transaction 0x\w+ anchors root 0x\w+, bundle says 0x\w+$/,
    ],
    [
      'root (never anchored)',
      (b) => (b.events[0].merkle!.root = flip(b.events[0].merkle!.root)),
      [
        ProblemCode.PROOF_MISMATCH,
        ProblemCode.ROOT_NOT_ANCHORED,
        ProblemCode.TRANSACTION_ROOT_MISMATCH,
        ProblemCode.ANCHORED_LOG_MISSING,
        ProblemCode.CONTRACT_REJECTS_PROOF,
      ],
      /has never anchored root/,
    ],
    [
      'transactionHash (another anchor)',
      (b) => (b.events[0].anchors[0].transactionHash = other().anchors[0].transactionHash),
      [
        ProblemCode.TRANSACTION_ROOT_MISMATCH,
        ProblemCode.TRANSACTION_BLOCK_MISMATCH,
        ProblemCode.BLOCK_HASH_MISMATCH,
        ProblemCode.ANCHORED_LOG_MISSING,
      ],
      /^event 0 anchor on chain \d+: transaction 0x\w+ anchors root 0x\w+, bundle says 0x\w+$/,
    ],
    [
      'transactionHash (unknown)',
      (b) => (b.events[0].anchors[0].transactionHash = flip(b.events[0].anchors[0].transactionHash)),
      [ProblemCode.TRANSACTION_NOT_FOUND],
      /does not exist on chain/,
    ],
    [
      'blockNumber',
      (b) => (b.events[0].anchors[0].blockNumber += 1),
      [ProblemCode.ANCHOR_BLOCK_MISMATCH, ProblemCode.TRANSACTION_BLOCK_MISMATCH],
      /anchored root 0x\w+ at block \d+, bundle says \d+/,
    ],
    [
      'blockHash',
      (b) => (b.events[0].anchors[0].blockHash = other().anchors[0].blockHash),
      [ProblemCode.BLOCK_HASH_MISMATCH],
      /transaction 0x\w+ is in block 0x\w+, bundle says 0x\w+/,
    ],
    [
      'chainId',
      (b) => (b.events[0].anchors[0].chainId = 1),
      [ProblemCode.CHAIN_ID_MISMATCH],
      /^event 0 anchor on chain 1: RPC [\w.:]+ serves chain \d+, bundle says chain 1$/,
    ],
    [
      'contract',
      (b) => (b.events[0].anchors[0].contract = randomAddress()),
      [ProblemCode.NO_REGISTRY, ProblemCode.TRANSACTION_RECIPIENT_MISMATCH, ProblemCode.ANCHORED_LOG_MISSING],
      /transaction 0x\w+ was sent to 0x\w+, bundle says contract 0x\w+/,
    ],
  ];

  it.each(tampered)('catches a tampered %s, by name, with exit code 1', async (_field, tamper, expected, message) => {
    const bundle = clone(honest);
    tamper(bundle);
    const report = await verifyBundle(bundle, { rpcUrls: rpc });
    expect(report.outcome).toBe('MISMATCH');
    expect([...new Set(report.problems.map((p) => p.code))].sort()).toEqual([...expected].sort());
    expect(report.problems.every((p) => p.eventIndex === 0)).toBe(true);
    expect(report.problems.map((p) => p.message)).toContainEqual(expect.stringMatching(message));
    const { code, out } = await cli(bundle, rpc);
    expect(code).toBe(1);
    expect(out).toMatch(/MISMATCH: \d+ problem\(s\) above/);
  });

  it('checks EIP-712 signatures: a signed bundle verifies, any change to it is named', async () => {
    const wallet = new Wallet(hexlify(randomBytes(32)));
    const domain = { name: 'pharmatrace', version: '1', chainId: anvil().chainId };
    const types = { EventAttestation: [{ name: 'eventHash', type: 'string' }] };
    const sign = async (b: ProofBundle, eventHash: string) => {
      const message = { eventHash };
      b.events[0].signature = {
        signer: wallet.address,
        signature: await wallet.signTypedData(domain, types, message),
        typedData: { domain, types, primaryType: 'EventAttestation', message },
      };
    };
    const signed = clone(honest);
    await sign(signed, signed.events[0].eventHash);
    const report = await verifyBundle(signed, { rpcUrls: rpc });
    expect(report.outcome).toBe('VERIFIED');
    expect(report.events[0]).toMatchObject({ signatureOk: true, signer: wallet.address });

    const cases: [(b: ProofBundle) => Promise<void> | void, ProblemCode[]][] = [
      // The last hex digit of s: still a canonical signature, now of someone else.
      [
        (b) =>
          void (b.events[0].signature!.signature =
            flip(b.events[0].signature!.signature.slice(0, 130)) + b.events[0].signature!.signature.slice(130)),
        [ProblemCode.SIGNER_MISMATCH],
      ],
      [(b) => void (b.events[0].signature!.signer = randomAddress()), [ProblemCode.SIGNER_MISMATCH]],
      [(b) => sign(b, other().eventHash), [ProblemCode.SIGNATURE_NOT_COMMITTED]],
      [
        (b) => void (b.events[0].event.eventTime = '2026-01-01T00:00:01.000Z'),
        [ProblemCode.EVENT_HASH_MISMATCH, ProblemCode.SIGNATURE_NOT_COMMITTED],
      ],
    ];
    for (const [tamper, expected] of cases) {
      const bundle = clone(signed);
      await tamper(bundle);
      const tamperedReport = await verifyBundle(bundle, { rpcUrls: rpc });
      expect(tamperedReport.problems.map((p) => p.code).sort()).toEqual([...expected].sort());
      expect((await cli(bundle, rpc)).code).toBe(1);
    }
  });

  it('reports an event not anchored yet as NOT ANCHORED (exit 2), and a tampered bundle as exit 1 from the real command', async () => {
    await worker!.close();
    worker = undefined;
    // The maker shipped P1 to nobody yet named: as its shipper it may still record observations of it.
    const doc = epcisDocument([
      statusChangeEvent({
        eventTime: new Date(Date.UTC(2026, 0, 1, 1)),
        epcs: [pack('P1')],
        bizStep: 'inspecting',
        disposition: 'in_progress',
      }),
    ]);
    expect((await gql(api, CAPTURE, { document: doc }, maker.apiKey)).errors).toBeUndefined();
    const pending: ProofBundle = (await fetchBundle(`/proofs?epc=${encodeURIComponent(pack('P1'))}`)).body;
    expect(pending.events).toHaveLength(3);
    expect(pending.events[2]).not.toHaveProperty('merkle');
    expect(pending.events[2].anchors).toEqual([]);
    const report = await verifyBundle(pending, { rpcUrls: rpc });
    expect(report.outcome).toBe('NOT_ANCHORED');
    expect(report.problems).toEqual([
      expect.objectContaining({
        code: ProblemCode.NOT_ANCHORED,
        eventIndex: 2,
        message: 'event 2: NOT ANCHORED: the event is in no anchored batch yet',
      }),
    ]);
    expect((await cli(pending, rpc)).code).toBe(2);

    const forged = clone(honest);
    forged.events[1].event.bizStep = 'receiving';
    const file = join(tmp, 'forged.json');
    writeFileSync(file, JSON.stringify(forged));
    const failed = await run(process.execPath, ['-r', '@swc-node/register', 'packages/verify/src/cli.ts', file, '--rpc', rpc]).catch(
      (e) => e,
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/event 1: eventHash does not match the event content/);
  });
});
