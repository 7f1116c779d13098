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

  /** Nest calls this once every route and every mount of a module's init is in place, before adding its 404 handler. */
  override setNotFoundHandler(handler: Parameters<ExpressAdapter['setNotFoundHandler']>[0], prefix?: string): void {
    hoistLateMounts(routerStack(this.getInstance<Express>()));
    super.setNotFoundHandler(handler, prefix);
  }
}

/** What this module reads of a layer of Express's router (the `router` package, Express 5). */
interface RouterLayer {
  /** Set on a route's layer, absent on a mount's (`app.use`). */
  route?: unknown;
  /** The path it was registered with. */
  rawPath?: unknown;
}

function routerStack(app: Express): RouterLayer[] {
  return (app as unknown as { router: { stack: RouterLayer[] } }).router.stack;
}

/** The first segment of a path that names it literally (`/epcis/…` → `epcis`, `/` → ``); null for a pattern. */
function firstLiteralSegment(path: unknown): string | null {
  if (typeof path !== 'string') return null;
  const match = /^\/([\w.-]*)(?:\/|$)/.exec(path);
  return match ? match[1] : null;
}

/**
 * Moves the mounts registered after the last route (GraphQL's endpoint, which Apollo's driver mounts in its module's
 * init, after Nest has registered every controller) forward, past the routes just before them that cannot take a
 * request of theirs. Express tries the layers in order, so every GraphQL request was matched against the 160
 * controller routes before it: 35-40 µs of a `verify`'s 400 µs of main thread (CPU profile at 1,578 req/s,
 * docs/benchmarks.md). A route is jumped only when its path begins with a literal segment other than the mounts'
 * (`/health/…` cannot take `/graphql…`); any other layer (a mount, a pattern, `{/*splat}` middleware) stops the move.
 * So each request meets the same layers, in the same order, as before; the 404 and error handlers Nest adds next stay
 * last.
 */
export function hoistLateMounts(stack: RouterLayer[]): void {
  let firstLate = stack.length;
  while (firstLate > 0 && !stack[firstLate - 1].route) firstLate--;
  const late = stack.slice(firstLate);
  if (!late.length || firstLate === 0) return;
  const segments = new Set<string>();
  for (const layer of late) {
    const segment = firstLiteralSegment(layer.rawPath);
    // A mount on everything ('/') or on a pattern could take any request: leave the order alone.
    if (!segment) return;
    segments.add(segment);
  }
  const cannotTake = (layer: RouterLayer): boolean => {
    const segment = firstLiteralSegment(layer.rawPath);
    return !!layer.route && segment !== null && !segments.has(segment);
  };
  let at = firstLate;
  while (at > 0 && cannotTake(stack[at - 1])) at--;
  stack.splice(firstLate, late.length);
  stack.splice(at, 0, ...late);
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
