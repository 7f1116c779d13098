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

/**
 * The Content-Security-Policy of a page run by vendor scripts served from our own origin (GraphiQL, the EPCIS API
 * explorer): scripts and requests to us only; inline styles stay allowed, since their editors and widgets set style
 * attributes at run time; icons and fonts as data: URIs.
 */
export const VENDOR_SCRIPT_PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
