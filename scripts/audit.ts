/**
 * `npm run audit [-- --restart]`: rebuilds every mined batch from the database and compares it with the root the
 * chain's AnchorRegistry logged for it; every difference is printed and recorded as a TAMPER_DETECTED alert.
 * Progress is saved after each batch: Ctrl-C (or a crash) and a rerun resumes; `--restart` starts over.
 * Reads DATABASE_URL, CHAIN_RPC_URL and ANCHOR_CONTRACT_ADDRESS, each defaulting to what `npm start` recorded in
 * <data folder>/services.json. Before judging anything it checks the chain is the one the batches were anchored on.
 * Exit code 0: clean, 1: tampering found (nothing else), 2: the audit could not run (unreachable service, wrong
 * chain, bad settings), 130: interrupted.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppConfig, ConfigModule, loadConfig } from '@pharmatrace/config';
import { PersistenceModule } from '@pharmatrace/persistence';
import { MultiBar, Presets } from 'cli-progress';
import { Client } from 'pg';
import { AuditModule } from '../apps/api/src/audit/audit.module';
import { AuditRunner, type AuditRunSummary } from '../apps/api/src/audit/audit.runner';
import { redactUrl } from './dev-services/postgres.provider';
import { dataDirOf, readServices, withDevServices } from './dev-services/services.manifest';

/** The ORM retries an unreachable database for half a minute; a CLI says so at once instead. */
async function assertDatabaseReachable(url: string): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(
      `Postgres at ${redactUrl(url)} is not reachable (${error instanceof Error ? error.message : error}): is npm start running?`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

function auditContext(config: AppConfig) {
  @Module({
    imports: [
      ConfigModule.forRoot(config),
      PersistenceModule.forRoot({ url: config.databaseUrl, poolSize: 2, appRole: config.databaseAppRole }),
      AuditModule,
    ],
  })
  class AuditCliModule {}
  return NestFactory.createApplicationContext(AuditCliModule, { logger: ['error'] });
}

async function main(): Promise<number> {
  const restart = process.argv.includes('--restart');
  const config = loadConfig(withDevServices(process.env, readServices(dataDirOf(process.env))));
  if (!config.chain.contractAddress)
    throw new Error(
      'no AnchorRegistry to audit against: start the platform with npm start, or set ANCHOR_CONTRACT_ADDRESS and CHAIN_RPC_URL',
    );
  await assertDatabaseReachable(config.databaseUrl);
  const app = await auditContext(config);
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on('SIGINT', onSigint);
  // The bar (on stderr) is for a person at a terminal; piped output gets plain lines only.
  const bars = process.stderr.isTTY
    ? new MultiBar(
        { format: 'audit [{bar}] {percentage}% | {value}/{total} events | {batches} batches | ETA {eta_formatted}', hideCursor: true },
        Presets.shades_classic,
      )
    : undefined;
  const say = (line: string) => (bars ? bars.log(`${line}\n`) : console.log(line));
  let bar: ReturnType<MultiBar['create']> | undefined;
  let audited = 0;
  let summary: AuditRunSummary;
  try {
    summary = await app.get(AuditRunner).run({
      restart,
      signal: stop.signal,
      onStart: (plan) => {
        const from = plan.resumed ? `resuming after batch ${plan.afterBatchId ?? 'none'}` : 'starting';
        console.log(`audit: ${from}, ${plan.batches} batches (${plan.events} events) to audit against ${config.chain.contractAddress}`);
        bar = bars?.create(plan.events, 0, { batches: 0 });
      },
      onBatch: (result) => {
        for (const f of result.findings) {
          const what = [
            f.eventId !== undefined ? `event ${f.eventId}` : '',
            f.eventHash ?? '',
            f.leafIndex !== undefined ? `leaf ${f.leafIndex}` : '',
            f.leafHash ?? '',
          ]
            .filter(Boolean)
            .join(' ');
          say(`TAMPER batch ${f.batchId} ${f.kind}${what ? ` ${what}` : ''}: ${f.detail}`);
        }
        if (result.markCleared) say(`CLEARED batch ${result.batchId}: audits clean now, the tamper mark of an earlier audit is lifted`);
        bar?.increment(result.eventCount, { batches: ++audited });
      },
    });
  } finally {
    bars?.stop();
    process.off('SIGINT', onSigint);
    await app.close();
  }
  const rate = Math.round(summary.eventsPerSecond);
  const seconds = (summary.elapsedMs / 1000).toFixed(1);
  const verdict = summary.interrupted
    ? 'INTERRUPTED (rerun to resume)'
    : summary.tamperedBatches
      ? `TAMPERED: ${summary.tamperedBatches} batches, ${summary.findings} findings`
      : 'CLEAN';
  console.log(`audit: ${summary.batches} batches, ${summary.events} events in ${seconds} s (${rate} events/s): ${verdict}`);
  if (summary.interrupted) return 130;
  return summary.tamperedBatches ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    // One line: an operator (or a script) reads why, and exit 2 never passes for "tampering found".
    const message = error instanceof Error ? error.message : String(error);
    console.error(`audit failed: ${message.split('\n')[0]}`);
    process.exit(2);
  },
);
