import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ApiMetrics } from './api.metrics';

/** Served by Apollo's middleware rather than a Nest route, so no route pattern names it. */
const MOUNTED = new Set(['/graphql']);

/**
 * Times every request into pharmatrace_http_request_duration_seconds. The route label is the pattern that matched
 * (`/epcis/events/:eventID`) or a mounted endpoint's path, never the URL: one label value per URL would grow the
 * series without bound. Anything else is `unmatched`.
 */
@Injectable()
export class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly metrics: ApiMetrics) {}

  use(req: Request, res: Response, next: NextFunction) {
    const end = this.metrics.httpDuration.startTimer();
    res.once('finish', () => end({ method: req.method, route: routeOf(req), status_code: res.statusCode }));
    next();
  }
}

/** Wildcard patterns are the catch-alls middleware is applied with, not routes. */
export function routeOf(req: Pick<Request, 'route' | 'originalUrl'>): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string' && !pattern.includes('*')) return pattern;
  const path = req.originalUrl.split('?')[0];
  return MOUNTED.has(path) ? path : 'unmatched';
}
