import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { NestApplicationOptions } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Express } from 'express';

/**
 * Nest's Express adapter, with requests and responses made by Node with Express's prototypes from the start.
 *
 * Express gives every request and response the app's prototypes as it enters (`Object.setPrototypeOf(req,
 * app.request)`). In V8 that change keeps the two objects, and everything hanging from them, alive through the next
 * young-generation collections, so each request's garbage was promoted to the old generation: about 23 KB a request
 * for `GET /health` here (some 20 MB/s at 900 requests/s), reclaimed by major collections that stalled the event loop
 * 20–40 ms at a time, the tail of every latency figure (issue 18, docs/benchmarks.md). A bare Express server promoted
 * 7–10 KB a request, none without the prototype change, and 0.03 KB with the request and response classes below:
 * their objects already have the prototypes Express sets, and setting a prototype an object has is a no-op.
 */
export class ExpressServerAdapter extends ExpressAdapter {
  override initHttpServer(options: NestApplicationOptions): void {
    // HTTPS and connection tracking are Nest's own business; this API serves plain HTTP behind its balancer.
    if (options?.httpsOptions || options?.forceCloseConnections) return super.initHttpServer(options);
    const app = this.getInstance<Express>();
    this.setHttpServer(createServer({ IncomingMessage: requestClass(app), ServerResponse: responseClass(app) }, app));
  }
}

/** Node's constructors are plain functions (not classes), so a function with another prototype can run them. */
type Initializer<T, A extends unknown[]> = (this: T, ...args: A) => void;

/** Node's IncomingMessage, constructed with the app's request prototype (which inherits IncomingMessage's). */
export function requestClass(app: Express): typeof IncomingMessage {
  const init = IncomingMessage as unknown as Initializer<IncomingMessage, [Socket]>;
  function AppRequest(this: IncomingMessage, socket: Socket) {
    init.call(this, socket);
  }
  AppRequest.prototype = app.request;
  return AppRequest as unknown as typeof IncomingMessage;
}

/** Node's ServerResponse, constructed with the app's response prototype (which inherits ServerResponse's). */
export function responseClass(app: Express): typeof ServerResponse {
  const init = ServerResponse as unknown as Initializer<ServerResponse, [IncomingMessage, object?]>;
  function AppResponse(this: ServerResponse, req: IncomingMessage, options?: object) {
    init.call(this, req, options);
  }
  AppResponse.prototype = app.response;
  return AppResponse as unknown as typeof ServerResponse;
}
