import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface AdminToken {
  token: string;
  /** Where it came from: the environment, the data folder, or generated just now. */
  source: 'env' | 'stored' | 'generated';
  file?: string;
}

const MIN_LENGTH = 16;

/**
 * The operator's dev token: kept in the data folder so GraphiQL headers and scripts keep working across
 * restarts. Production never gets one generated: an operator there must choose it.
 */
export function resolveAdminToken(env: Record<string, string | undefined>, dataDir: string): AdminToken | undefined {
  if (env.ADMIN_TOKEN) return { token: env.ADMIN_TOKEN, source: 'env' };
  if (env.NODE_ENV === 'production') return undefined;
  const file = path.join(dataDir, 'admin-token');
  try {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= MIN_LENGTH) return { token: stored, source: 'stored', file };
  } catch {
    // No token yet: generated below.
  }
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, source: 'generated', file };
}
