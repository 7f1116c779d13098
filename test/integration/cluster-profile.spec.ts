import path from 'node:path';
import { commissioningEvent, epcisDocument } from '@pharmatrace/epcis';
import { gs1CheckDigit } from '@pharmatrace/gs1';
import { Client } from 'pg';
import { type ClusterHandle, CLUSTER_INSTALL_HINT, findClusterBinaries, startCluster } from '../../scripts/dev-services/cluster.topology';
import { expectAllAnchoredOnce } from '../support/anchoring.harness';
import { ADMIN_TOKEN, GENEROUS_RATE_LIMITS } from '../support/platform';
import { waitFor } from '../support/wait';

/**
 * The local cluster profile end to end (issue 18): captures and verifications through HAProxy while one API process,
 * one worker and the replica are killed; nothing captured is lost, every event is in exactly one batch and every
 * batch anchored once. A verify right after a capture by the same organization always sees it (read-your-writes
 * through the replica's WAL position).
 */
const binaries = findClusterBinaries();
const describeWithBinaries = 'found' in binaries ? describe : describe.skip;
if ('missing' in binaries)
  process.stdout.write(`cluster-profile.spec skipped: missing ${binaries.missing.join(', ')}. Install them: ${CLUSTER_INSTALL_HINT}\n`);

const GTIN = '00614141' + '00001';
const DOCUMENTS = 9;
const EVENTS_PER_DOCUMENT = 20;

describeWithBinaries('local cluster profile (primary + replica, PgBouncer, Redis Cluster, 2 APIs behind HAProxy, 2 workers)', () => {
  let cluster: ClusterHandle;

  beforeAll(async () => {
    if (!('found' in binaries)) return;
    cluster = await startCluster({
      binaries: binaries.found,
      adminToken: ADMIN_TOKEN,
      fromSource: true,
      root: path.resolve(__dirname, '../..'),
      appEnv: { ...GENEROUS_RATE_LIMITS, LOG_LEVEL: 'warn', BATCH_MAX_WAIT_MS: '1000', WORKER_TICK_MS: '500', BATCH_MAX_EVENTS: '50' },
      log: () => undefined,
    });
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  /** Through the balancer; a request cut off with the API process that held it is sent again (capture is idempotent). */
  const graphql = async <T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> => {
    let last: unknown;
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        const response = await fetch(`${cluster.url}/graphql`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query, variables }),
          signal: AbortSignal.timeout(30_000),
        });
        if (response.status >= 502 && response.status <= 504) throw new Error(`balancer answered ${response.status}`);
        const body = (await response.json()) as { data?: T; errors?: unknown[] };
        if (body.errors) throw new Error(JSON.stringify(body.errors));
        return body.data!;
      } catch (e) {
        last = e;
        if (String(e).includes('"extensions"')) throw e;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    throw last;
  };

  const metric = async (port: number, name: string): Promise<number> => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return [...text.matchAll(new RegExp(`^${name} (\\S+)$`, 'gm'))].reduce((sum, m) => sum + Number(m[1]), 0);
  };

  it('captures, seals, anchors and verifies through the balancer while an API, a worker and the replica die', async () => {
    const base12 = `0614141${String(Date.now()).slice(-5)}`;
    const { createOrganization } = await graphql<{ createOrganization: { apiKey: string } }>(
      'mutation($input: CreateOrganizationInput!) { createOrganization(input: $input) { apiKey } }',
      { input: { name: 'Cluster Pharma', role: 'MANUFACTURER', gln: `${base12}${gs1CheckDigit(base12)}`, companyPrefixes: ['0614141'] } },
      ADMIN_TOKEN,
    );
    const maker = createOrganization.apiKey;
    const gtin = `${GTIN}${gs1CheckDigit(GTIN)}`;
    const pack = (serial: string) => `https://id.gs1.org/01/${gtin}/21/${serial}`;
    const hashes = new Set<string>();
    const replicaReadsBefore: number[] = [];

    for (let d = 0; d < DOCUMENTS; d++) {
      if (d === 2) cluster.apis[0].current().child.kill('SIGKILL');
      if (d === 4) cluster.workers[0].current().child.kill('SIGKILL');
      if (d === 6) {
        // A verify right after its own capture reads the primary until the replica has replayed that capture; ask again
        // (bounded) until the replica has answered one, so that killing it below is a fault the reads must survive.
        const replicaReads = async () => {
          let total = 0;
          for (const port of cluster.apiPorts)
            total += await metric(port, 'pharmatrace_routed_reads_total\\{target="replica1"\\}').catch(() => 0);
          return total;
        };
        for (let tries = 0; tries < 40 && (await replicaReads()) === 0; tries++) {
          await graphql('query($c: String!) { verify(code: $c) { status } }', { c: pack('C0-0') }, maker);
          await new Promise((resolve) => setTimeout(resolve, 250));
        }
        replicaReadsBefore.push(await replicaReads());
        await cluster.killReplica();
      }
      const serials = Array.from({ length: EVENTS_PER_DOCUMENT }, (_, i) => `C${d}-${i}`);
      const document = epcisDocument(
        serials.map((s, i) =>
          commissioningEvent({
            eventTime: new Date(Date.UTC(2026, 0, 1, d, i)),
            epcs: [pack(s)],
            lot: 'LC1',
            expiry: '2029-01-31',
          }),
        ),
      );
      const { captureEpcisDocument } = await graphql<{ captureEpcisDocument: { eventHashes: string[] } }>(
        'mutation($d: JSON!) { captureEpcisDocument(document: $d) { eventHashes } }',
        { d: document },
        maker,
      );
      for (const h of captureEpcisDocument.eventHashes) hashes.add(h);
      // Read-your-writes: the same organization's verify at once, on whichever API process and database it lands.
      for (const serial of [serials[0], serials.at(-1)!]) {
        const { verify } = await graphql<{ verify: { status: string } }>(
          'query($c: String!) { verify(code: $c) { status } }',
          { c: pack(serial) },
          maker,
        );
        expect({ serial, status: verify.status }).toEqual({ serial, status: 'ACTIVE' });
      }
    }
    expect(hashes.size).toBe(DOCUMENTS * EVENTS_PER_DOCUMENT);
    // The replica carried reads before it died (some verifies found it caught up).
    expect(replicaReadsBefore.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);

    // Nothing lost: every event captured is stored once, in exactly one batch, each batch anchored once.
    const db = new Client({ connectionString: cluster.ownerUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM event`);
      expect(rows[0].n).toBe(hashes.size);
      await waitFor(
        async () =>
          (await db.query(`SELECT 1 FROM event WHERE batch_id IS NULL UNION ALL SELECT 1 FROM anchor_batch WHERE status <> 'FINAL'`))
            .rowCount === 0,
        90_000,
        500,
      );
    } finally {
      await db.end();
    }
    await expectAllAnchoredOnce(
      cluster.ownerUrl,
      [{ rpcUrl: cluster.chain.rpcUrl, chainId: cluster.chain.chainId!, contract: cluster.chain.contractAddress }],
      5,
    );

    // With the replica gone, reads are the primary's and the APIs stay ready to serve.
    const health = await fetch(`${cluster.url}/health/ready`);
    const report = (await health.json()) as { checks?: { replicas?: { status: string; replicas?: { reachable: boolean }[] } } };
    expect(report.checks?.replicas).toMatchObject({ status: 'up', replicas: [{ reachable: false }] });
  }, 240_000);
});
