import { createBenchDatabase } from './bench-db';
import { loadPacks, benchPack } from './load-packs';
(async () => {
  const db = await createBenchDatabase('tryload');
  const r = await loadPacks(db.url, Number(process.env.N ?? 20000));
  console.log(r, db.url, benchPack(12345));
})();
