import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { BENCH_ORGANIZATIONS, benchPack } from './load-packs';
const PACKS = 1_000_000;
const GS = '\u001d';
const yymmdd = (iso: string) => iso.slice(2).replace(/-/g, '');
const Q = `query($c: String!) { verify(code: $c) { status saleable alerts epc product { gtin serial lot expiry } custodian { name gln } container anchored checkedOnChain } }`;
(async () => {
  const which = process.argv[2];
  const port = 39123;
  const child = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir', '/tmp/prof-' + which, '-r', '@swc-node/register', 'apps/api/src/main.ts'], { env: { ...process.env, NODE_ENV: 'production', PORT: String(port), DATABASE_URL: process.env.BENCH_DB_URL }, stdio: 'ignore' });
  for (;;) { if (await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false)) break; await new Promise((r) => setTimeout(r, 300)); }
  const hdr = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ORGANIZATIONS.pharmacy.apiKey}` };
  const reqs: Record<string, autocannon.Request> = {
    trivial: { method: 'POST', path: '/graphql', headers: hdr, body: JSON.stringify({ query: '{ __typename }' }) },
    health: { method: 'GET', path: '/health' },
    verify: { method: 'POST', path: '/graphql', headers: hdr, setupRequest: (r) => { const p = benchPack(Math.floor(Math.random() * PACKS)); return { ...r, body: JSON.stringify({ query: Q, variables: { c: `]d201${p.gtin}17${yymmdd(p.expiry)}10${p.lot}${GS}21${p.serial}` } }) }; } },
    vrs: { method: 'GET', path: '/', headers: { authorization: `Bearer ${BENCH_ORGANIZATIONS.distributor.apiKey}` }, setupRequest: (r) => { const p = benchPack(Math.floor(Math.random() * PACKS)); return { ...r, path: `/verify/gtin/${p.gtin}/lot/${p.lot}/ser/${p.serial}?exp=${yymmdd(p.expiry)}&reqGLN=${BENCH_ORGANIZATIONS.distributor.gln}` }; } },
    dl: { method: 'GET', path: '/', headers: { accept: 'application/json' }, setupRequest: (r) => { const p = benchPack(Math.floor(Math.random() * PACKS)); return { ...r, path: `/01/${p.gtin}/10/${p.lot}/21/${p.serial}?17=${yymmdd(p.expiry)}` }; } },
  };
  await autocannon({ url: `http://127.0.0.1:${port}`, connections: 32, duration: 3, requests: [reqs[which]] });
  const r = await autocannon({ url: `http://127.0.0.1:${port}`, connections: 32, duration: Number(process.argv[3] ?? 10), requests: [reqs[which]] });
  console.log(which, Math.round(r.requests.average), 'req/s', 'p50', r.latency.p50, 'p99', r.latency.p99, 'non2xx', r.non2xx, 'errors', r.errors);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
})();
