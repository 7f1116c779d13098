import { Injectable, NestMiddleware } from '@nestjs/common';
import { readScope } from '@pharmatrace/persistence';
import type { NextFunction, Request, Response } from 'express';

/**
 * With read replicas configured (CommonModule mounts it only then), every request runs in a read scope of its own,
 * where the auth guard names the organization: the repositories then send that organization's reads to a replica
 * only once it replayed the organization's writes (docs/scaling.md).
 */
@Injectable()
export class ReadScopeMiddleware implements NestMiddleware {
  use(_req: Request, _res: Response, next: NextFunction) {
    readScope.run(next);
  }
}
