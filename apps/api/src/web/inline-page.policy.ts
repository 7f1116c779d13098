import { createHash } from 'node:crypto';

/**
 * The Content-Security-Policy of a page the server writes whole, with its CSS inline: nothing may load, not even from
 * us, and the one inline stylesheet is allowed by its hash (not by 'unsafe-inline', which would allow any injected one).
 */
export function inlinePagePolicy(css: string): string {
  const hash = createHash('sha256').update(css).digest('base64');
  return [
    "default-src 'none'",
    `style-src 'sha256-${hash}'`,
    "img-src 'self' data:",
    "form-action 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
