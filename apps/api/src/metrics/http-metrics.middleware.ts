import { Injectable, NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ApiMetrics } from './api.metrics';

/**
 * Times every request into pharmatrace_http_request_duration_seconds. The route label is the pattern that matched
 * (`/epcis/events/:eventID`), or the mount path of a middleware-served endpoint such as `/graphql`, never the URL:
 * one label value per URL would grow the series without bound.
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

export function routeOf(req: Pick<Request, 'route' | 'baseUrl'>): string {
  const pattern = (req.route as { path?: unknown } | undefined)?.path;
  if (typeof pattern === 'string') return pattern;
  return req.baseUrl || 'unmatched';
}
