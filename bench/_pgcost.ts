import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { benchPack } from './load-packs';
const cpuMs = (pid: number) => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' '); return (Number(f[11]) + Number(f[12])) * 10; };
const src = readFileSync('libs/persistence/src/repositories/verification.repository.ts', 'utf8');
const sql = /this\.db\.query\(\s*`(WITH RECURSIVE[\s\S]*?)`,/.exec(src)![1].replace('${STATE_COLUMNS}', require('../libs/persistence/src/repositories/pack-state.sql').STATE_COLUMNS);
(async () => {
  const c = new Client({ connectionString: process.env.BENCH_DB_URL }); await c.connect();
  const pid = (await c.query('select pg_backend_pid() p')).rows[0].p;
  for (const mode of ['unnamed', 'named', 'unnamed', 'named']) {
    const N = 2000; const t0 = performance.now(); const c0 = cpuMs(pid);
    for (let i = 0; i < N; i++) {
      const p = benchPack(Math.floor(Math.random() * 1_000_000));
      const r = await c.query(mode === 'named' ? { name: 'verify_view', text: sql, values: [p.epc, p.gtin, p.lot] } : { text: sql, values: [p.epc, p.gtin, p.lot] });
      if (!r.rows[0].state) throw new Error('no state');
    }
    console.log(mode, 'wall ms/query', ((performance.now() - t0) / N).toFixed(3), 'PG CPU ms/query', ((cpuMs(pid) - c0) / N).toFixed(3));
  }
  await c.end();
})();
