import { runMigrations } from '@pharmatrace/persistence';
import { adminUrl, templateDb, withAdmin } from './database';
import { ensureWebBuilt } from './web-build';

/**
 * Migrates a template database once per run; every test file clones it. Builds the pages once, before any spec, so
 * that `npm ci && npm test` needs no `npm start` first and parallel specs never race one Vite build into dist/web.
 */
export default async function globalSetup(): Promise<void> {
  ensureWebBuilt();
  const template = templateDb();
  await withAdmin((c) => c.query(`CREATE DATABASE ${template}`));
  await runMigrations(adminUrl(template));
}
