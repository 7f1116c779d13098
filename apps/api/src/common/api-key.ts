import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

const PREFIX = 'pt_';

/** A new API key: shown once to its owner, only its hash is stored. */
export function generateApiKey(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): Buffer {
  return hash('sha256', key, 'buffer');
}

/** The API key in an `Authorization: Bearer <key>` header, if there is one. */
export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
}

/** Compares two hashes of secrets in constant time. */
export function sameHash(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
