import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { AnchorRegistryClient, deployAnchorRegistry, startAnvil } from '@pharmatrace/chain';
import { loadConfig } from '@pharmatrace/config';
import { keccak256, toUtf8Bytes } from 'ethers';
import { Client } from 'pg';
import { WorkerModule } from '../apps/worker/src/worker.module';
import { createBenchDatabase } from './bench-db';
import type { BenchRow } from './bench.types';

const LATENCY_RUNS = 3;
const EVENTS_PER_BATCH = 1_000_000;

/**
 * Capture → FINAL at default settings (BATCH_MAX_WAIT_MS 10 s, WORKER_TICK_MS 1 s, 1 confirmation) on an anvil
 * mining a block a second, with the real worker; and the gas of one anchor of a 10^6-event batch.
 * "Capture" is the commit of the event row, which is all the worker sees of a capture.
 */
export async function benchAnchoring(): Promise<BenchRow[]> {
  const anvil = await startAnvil({ port: 0, blockTime: 1 });
  const db = await createBenchDatabase('anchoring');
  try {
    const [admin, anchorer] = anvil.accounts;
    const { address } = await deployAnchorRegistry({
      rpcUrl: anvil.rpcUrl,
      privateKey: admin.privateKey,
      anchorer: anchorer.address,
      chainId: anvil.chainId,
    });
    const config = loadConfig({
      ...process.env,
      NODE_ENV: 'production',
      DATABASE_URL: db.url,
      CHAIN_RPC_URL: anvil.rpcUrl,
      CHAIN_ID: String(anvil.chainId),
      ANCHOR_CONTRACT_ADDRESS: address,
      ANCHORER_PRIVATE_KEY: anchorer.privateKey,
      QUEUE_PREFIX: `bench-${process.pid}-${Date.now()}`,
      BATCH_MAX_EVENTS: undefined,
      BATCH_MAX_WAIT_MS: undefined,
      WORKER_TICK_MS: undefined,
      ANCHOR_CONFIRMATIONS: undefined,
    });
    const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: ['error'] });
    await worker.init();
    const pg = new Client({ connectionString: db.url });
    await pg.connect();
    const latencies: number[] = [];
    try {
      const [{ id: org }] = (
        await pg.query(`INSERT INTO organization (name, role, gln) VALUES ('bench', 'MANUFACTURER', '0614141000012') RETURNING id`)
      ).rows;
      for (let run = 0; run < LATENCY_RUNS; run++) {
        const started = Date.now();
        const [{ id }] = (
          await pg.query(
            `INSERT INTO event (event_hash, event_type, event_time, body, captured_by) VALUES (sha256(convert_to($1::text, 'UTF8')), 'ObjectEvent', now(), '{}', $2) RETURNING id`,
            [`bench-${run}-${started}`, org],
          )
        ).rows;
        for (;;) {
          const { rows } = await pg.query(`SELECT b.status FROM event e JOIN anchor_batch b ON b.id = e.batch_id WHERE e.id = $1`, [id]);
          if (rows[0]?.status === 'FINAL') break;
          await new Promise((r) => setTimeout(r, 50));
        }
        latencies.push(Date.now() - started);
      }
    } finally {
      await pg.end();
      await worker.close();
    }

    const client = new AnchorRegistryClient({
      rpcUrl: anvil.rpcUrl,
      contractAddress: address,
      privateKey: anchorer.privateKey,
      chainId: anvil.chainId,
    });
    let gas: number;
    try {
      const sent = await client.anchor(keccak256(toUtf8Bytes('bench-1m')), 999_999n, EVENTS_PER_BATCH);
      const receipt = await client.waitForReceipt(sent.hash, 1, 15_000);
      if (!receipt || receipt.status !== 1) throw new Error('bench anchor not mined');
      gas = Number(receipt.gasUsed);
    } finally {
      client.destroy();
    }
    const mean = Math.round(latencies.reduce((a, b) => a + b, 0) / latencies.length);
    return [
      {
        name: 'capture → FINAL (mean)',
        value: mean,
        unit: 'ms',
        note: `${LATENCY_RUNS} runs, defaults: batch wait 10 s, tick 1 s, 1 confirmation, anvil 1 s blocks`,
      },
      { name: 'capture → FINAL (max)', value: Math.max(...latencies), unit: 'ms', note: `${LATENCY_RUNS} runs` },
      { name: 'gas per anchor', value: gas, unit: 'gas', note: `batch of ${EVENTS_PER_BATCH} events; target <= 50000, flat in batch size` },
      { name: 'gas per event', value: gas / EVENTS_PER_BATCH, unit: 'gas', note: `at ${EVENTS_PER_BATCH} events per batch` },
    ];
  } finally {
    await db.drop();
    await anvil.stop();
  }
}

if (require.main === module) {
  benchAnchoring().then((results) => process.stdout.write(`${JSON.stringify(results, null, 2)}\n`));
}
