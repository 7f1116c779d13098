/**
 * pharmatrace-verify as somebody outside the repository gets it: `npm pack` of packages/verify, the tarball
 * installed into an empty folder, its command run there on a bundle the platform served for events anchored on
 * a real (anvil) chain. Proves the package declares every dependency and imports nothing from the repository.
 */
import { INestApplication, INestApplicationContext } from '@nestjs/common';
import { commissioningEvent, epcisDocument, shippingEvent } from '@pharmatrace/epcis';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import request from 'supertest';
import type { ProofBundle } from 'pharmatrace-verify';
import { useAnvil } from '../support/anvil';
import { isolatedEnv } from '../support/dockerfile';
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

jest.setTimeout(5 * 60_000);

const ROOT = path.resolve(__dirname, '../..');
const run = promisify(execFile);
const GTIN = withCheckDigit('0061414107346');
const pack = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;

describe('pharmatrace-verify packed and installed on its own', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'pharmatrace-verify-pkg-'));
  const project = path.join(work, 'project');
  const timings: string[] = [];
  let api: INestApplication | undefined;
  let worker: INestApplicationContext | undefined;
  let tarball: string;
  let honest: ProofBundle;
  let rpc: string;
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    if (timings.length) process.stdout.write(`verify-package.spec timings:\n  ${timings.join('\n  ')}\n`);
    rmSync(work, { recursive: true, force: true });
  });
  const anvil = useAnvil();
  const dbUrl = useDatabase();

  /** The installed command, run from the project folder with an environment that names nothing in the repository. */
  const verify = (args: string[]) =>
    run(path.join(project, 'node_modules/.bin/pharmatrace-verify'), args, { cwd: project, env: isolatedEnv() }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  beforeAll(async () => {
    const chainEnv = await deployRegistry(anvil());
    rpc = chainEnv.CHAIN_RPC_URL;
    const config = testConfig({
      DATABASE_URL: dbUrl(),
      ...chainEnv,
      BATCH_MAX_WAIT_MS: '100',
      WORKER_TICK_MS: '100',
      QUEUE_PREFIX: `verify-pkg-${process.pid}-${Date.now()}`,
    });
    api = await startApi(config);
    worker = await startWorker(config);
    const maker = await createOrganization(api, {
      name: 'ACME',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141'],
    });
    const t = (minute: number) => new Date(Date.UTC(2026, 0, 1, 0, minute));
    const document = epcisDocument([
      commissioningEvent({ eventTime: t(0), epcs: [pack('P1'), pack('P2')], lot: 'L1', expiry: '2028-01-31' }),
      commissioningEvent({ eventTime: t(1), epcs: [pack('Q1')], lot: 'L1', expiry: '2028-01-31' }),
      shippingEvent({ eventTime: t(2), epcs: [pack('P1')] }),
    ]);
    expect((await gql(api, CAPTURE, { document }, maker.apiKey)).errors).toBeUndefined();
    const db = new Client({ connectionString: dbUrl() });
    await db.connect();
    try {
      await waitFor(async () => {
        const { rows } = await db.query(
          `SELECT count(*) AS n FROM event e JOIN anchor_batch b ON b.id = e.batch_id WHERE b.status = 'FINAL'`,
        );
        return Number(rows[0].n) === 3;
      }, 30_000);
    } finally {
      await db.end();
    }
    const res = await request(api.getHttpServer())
      .get(`/proofs/${encodeURIComponent(pack('P1'))}`)
      .set('Authorization', `Bearer ${maker.apiKey}`);
    expect(res.status).toBe(200);
    honest = res.body;
    expect(honest.events).toHaveLength(2);
    writeFileSync(path.join(work, 'honest.json'), JSON.stringify(honest));
  });

  it('npm pack holds the compiled package, its manifest and its README, nothing else', async () => {
    const started = Date.now();
    const { stdout } = await run('npm', ['pack', path.join(ROOT, 'packages/verify'), '--pack-destination', work, '--json'], {
      cwd: work,
      env: isolatedEnv(),
    });
    timings.push(`npm pack (prepack builds): ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const [packed] = JSON.parse(stdout.slice(stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(work, packed.filename);
    expect(existsSync(tarball)).toBe(true);
    const files = packed.files.map((f) => f.path);
    expect(files.filter((f) => !f.startsWith('dist/')).sort()).toEqual(['README.md', 'package.json']);
    expect(files).toEqual(expect.arrayContaining(['dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cbv/event-hash.js']));
    expect(files.filter((f) => f.endsWith('.spec.js') || (f.endsWith('.ts') && !f.endsWith('.d.ts')))).toEqual([]);
  });

  it('installs into an empty folder with its declared dependencies alone', async () => {
    expect(tarball).toBeDefined();
    rmSync(project, { recursive: true, force: true });
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'verify-install-check', version: '0.0.0', private: true }));
    const started = Date.now();
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball], { cwd: project, env: isolatedEnv() });
    timings.push(`npm install <tarball>: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const modules = readdirSync(path.join(project, 'node_modules'));
    expect(modules).toEqual(expect.arrayContaining(['pharmatrace-verify', 'ethers']));
    expect(modules.filter((m) => m.startsWith('@pharmatrace') || m === '@openzeppelin')).toEqual([]);
    const manifest = JSON.parse(readFileSync(path.join(project, 'node_modules/pharmatrace-verify/package.json'), 'utf8'));
    expect(Object.keys(manifest.dependencies)).toEqual(['ethers']);
  });

  it('its command verifies the real bundle there: exit 0, every event VERIFIED', async () => {
    const started = Date.now();
    const result = await verify([path.join(work, 'honest.json'), '--rpc', rpc]);
    timings.push(`pharmatrace-verify on the honest bundle: ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/VERIFIED: every event hash, Merkle proof and anchor checks out/);
    expect(result.stdout).toMatch(/ObjectEvent ADD commissioning/);

    const json = await verify([path.join(work, 'honest.json'), '--rpc', `${anvil().chainId}=${rpc}`, '--json']);
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ outcome: 'VERIFIED', ok: true, problems: [] });
    expect(report.events.map((e: { hashOk: boolean; proofOk: boolean; outcome: string }) => [e.hashOk, e.proofOk, e.outcome])).toEqual([
      [true, true, 'VERIFIED'],
      [true, true, 'VERIFIED'],
    ]);
  });

  it('a tampered bundle fails with the mismatch exit code and names what changed', async () => {
    const tampered = structuredClone(honest);
    (tampered.events[0].event.ilmd as Record<string, string>)['cbvmda:lotNumber'] = 'L2';
    const file = path.join(work, 'tampered.json');
    writeFileSync(file, JSON.stringify(tampered));
    const result = await verify([file, '--rpc', rpc]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/MISMATCH/);
    expect(result.stdout).toMatch(/event 0: eventHash does not match the event content/);

    const notJson = path.join(work, 'not-json.json');
    writeFileSync(notJson, '{');
    expect((await verify([notJson, '--rpc', rpc])).code).toBe(4);
  });
});
