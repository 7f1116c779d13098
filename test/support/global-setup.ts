import { runMigrations } from '@pharmatrace/persistence';
import { adminUrl, templateDb, withAdmin } from './database';

/** Migrates a template database once per run; every test file clones it. */
export default async function globalSetup(): Promise<void> {
  const template = templateDb();
  await withAdmin((c) => c.query(`CREATE DATABASE ${template}`));
  await runMigrations(adminUrl(template));
}
