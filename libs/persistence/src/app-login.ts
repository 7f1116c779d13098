import { createHash } from 'node:crypto';
import { Client } from 'pg';

/**
 * The URL `npm start` gives the API and worker: the owner's, with the application login's name and a password derived
 * from the owner's credentials and the cluster's address. Derived rather than generated: every `npm start` against one cluster (a developer's and the
 * tests') agrees on it without storing it, and whoever can derive it holds the owner's password already.
 */
export function appLoginUrl(ownerUrl: string, appRole: string): string {
  const url = new URL(ownerUrl);
  // Of the cluster, not the database: a login is cluster-wide, and its password must not depend on which database.
  const cluster = `${url.hostname}:${url.port}\n${url.username}:${url.password}`;
  url.username = `${appRole}_login`;
  url.password = createHash('sha256').update(`pharmatrace application login\n${cluster}`).digest('base64url');
  return url.toString();
}

/**
 * Makes the login of `appUrl` (its user and password) a login that holds nothing but `appRole`: no superuser, no
 * DDL, no roles of its own, so `RESET ROLE` inside the apps falls back to the application role's rights, never the
 * owner's (docs/security.md). Run as the owner after the migrations, which create `appRole`.
 */
export async function ensureAppLogin(
  ownerUrl: string,
  appUrl: string,
  appRole: string,
  options: { defaultRole?: boolean } = {},
): Promise<void> {
  const { username, password } = new URL(appUrl);
  const login = decodeURIComponent(username);
  if (!login || login === decodeURIComponent(new URL(ownerUrl).username))
    throw new Error('the application login must be a login of its own, not the owner');
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const name = client.escapeIdentifier(login);
    const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(decodeURIComponent(password))}`;
    const exists = async () => ((await client.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [login])).rowCount ?? 0) > 0;
    // Two starts against one cluster may race to create it: the loser alters what the winner created.
    if (!(await exists()))
      await client.query(`CREATE ROLE ${name} ${attributes}`).catch(async (e: { code?: string }) => {
        if (e.code !== '42710' && e.code !== '23505') throw e;
      });
    await client.query(`ALTER ROLE ${name} ${attributes}`);
    await client.query(`GRANT ${client.escapeIdentifier(appRole)} TO ${name}`);
    // Behind PgBouncer in transaction mode no startup option can switch to the role: the login's own default does
    // (docs/scaling.md). Only when asked: otherwise RESET ROLE returns to the login, as docs/security.md describes.
    if (options.defaultRole) await client.query(`ALTER ROLE ${name} SET role = ${client.escapeLiteral(appRole)}`);
  } finally {
    await client.end();
  }
}
