import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { GRAPHIQL_CONTENT_SECURITY_POLICY } from '../graphiql/graphiql.page';

/**
 * Every answer's security headers. The CSP is the one for API answers (JSON, problems, text): nothing may load and
 * nothing may frame it. Pages (/, /scan, /explorer, /graphiql, /01/…, /docs) replace it with their own, which their
 * controllers set after this runs. HSTS is left to the TLS-terminating proxy: this process serves plain HTTP, and a
 * Strict-Transport-Security header on a local http://localhost answer would pin browsers to an HTTPS that is not there.
 */
export const securityHeaders = helmet({
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  strictTransportSecurity: false,
});

/** Security headers on every answer and no X-Powered-By: main.ts and the tests' startApi install them first. */
export function useSecurityHeaders(app: NestExpressApplication): void {
  app.disable('x-powered-by');
  app.use(securityHeaders);
  // Apollo writes GraphiQL at GET /graphql itself (offlineGraphiqlPlugin), with no way to set a header; it needs the page's CSP.
  app.use('/graphql', (req: Request, res: Response, next: NextFunction) => {
    if (req.method === 'GET') res.setHeader('Content-Security-Policy', GRAPHIQL_CONTENT_SECURITY_POLICY);
    next();
  });
}
