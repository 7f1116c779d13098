import type { Organization } from '@pharmatrace/domain';
import { Injectable, Logger, NotFoundException, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { AuthError, AuthErrorCode } from '../common/auth.error';
import { AuthGuard } from '../common/auth.guard';
import { EPCIS_HEADERS, versionRefusal } from '../epcis-rest/epcis-binding';
import { problemOf } from '../epcis-rest/epcis-problem';
import { EpcisRestError, EpcisRestErrorCode } from '../epcis-rest/epcis-rest.error';
import { EventQueryError, EventQueryErrorCode } from '../events/event-query.error';
import { NamedQueryService, SUBSCRIPTION_PARAMETERS } from './named-query.service';
import { invalidSubscription, readControls } from './subscription.controls';
import { SubscriptionStreamService } from './subscription-stream.service';

const EVENTS_PATH = /^\/epcis\/queries\/([^/?#]+)\/events\/?$/;
const SCHEDULE = ['second', 'minute', 'hour', 'dayOfMonth', 'month', 'dayOfWeek'];

/**
 * The binding's WebSocket subscriptions: `GET /epcis/queries/{name}/events` with `Upgrade: websocket` and
 * `stream=true` or schedule parameters. The handshake is judged like any request (Bearer key, version headers, the
 * query's owner) and refused with the binding's problem before the switch; after `101 Switching Protocols` every
 * message is an EPCISQueryDocument (JSON text).
 */
@Injectable()
export class EpcisWebSocketServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EpcisWebSocketServer.name);
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly stops = new Set<() => void>();
  private server?: Server;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly auth: AuthGuard,
    private readonly queries: NamedQueryService,
    private readonly streams: SubscriptionStreamService,
  ) {}

  onApplicationBootstrap() {
    this.server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    this.server?.on('upgrade', this.upgrade);
  }

  private readonly upgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://host');
    const match = EVENTS_PATH.exec(url.pathname);
    if (!match) {
      // Another listener may own this path; with none, the client is told rather than left hanging.
      if (this.server?.listenerCount('upgrade') === 1) this.refuse(socket, req, new NotFoundException(`no WebSocket at ${url.pathname}`));
      return;
    }
    socket.on('error', () => undefined);
    this.handshake(req, decodeURIComponent(match[1]), url.searchParams).then(
      ({ org, open }) =>
        this.wss.handleUpgrade(req, socket, head, (ws) => {
          void this.attach(ws, org, open);
        }),
      (e: unknown) => this.refuse(socket, req, e),
    );
  };

  private async handshake(req: IncomingMessage, name: string, params: URLSearchParams) {
    const version = versionRefusal(req.headers);
    if (version) throw new EpcisRestError(EpcisRestErrorCode.NOT_ACCEPTABLE, version);
    const principal = await this.auth.authenticate(req.headers.authorization);
    if (principal.kind !== 'organization') throw new AuthError(AuthErrorCode.FORBIDDEN, "a subscription needs an organization's API key");
    const org = principal.organization;
    const raw: Record<string, unknown> = {};
    const schedule: Record<string, string> = {};
    for (const [key, value] of params) {
      if (!SUBSCRIPTION_PARAMETERS.includes(key)) {
        throw new EventQueryError(
          EventQueryErrorCode.INVALID_QUERY_PARAMETER,
          `${key}: is not a subscription parameter (${SUBSCRIPTION_PARAMETERS.join(', ')})`,
          {
            parameter: key,
            rule: 'supported-parameter',
          },
        );
      }
      if (SCHEDULE.includes(key)) schedule[key] = value;
      else if (key === 'stream' || key === 'reportIfEmpty') {
        if (value !== 'true' && value !== 'false') throw invalidSubscription(key, 'type:boolean', 'must be true or false');
        raw[key] = value === 'true';
      } else raw[key] = value;
    }
    if (raw.stream === false) raw.stream = undefined;
    if (Object.keys(schedule).length) raw.schedule = schedule;
    const controls = readControls(raw, (field) => field.replace(/^schedule\//, ''));
    const query = await this.queries.find(org, name);
    return { org, open: (ws: WebSocket) => this.streams.open(org, query, controls, sinkOf(ws)) };
  }

  private async attach(ws: WebSocket, org: Organization, open: (ws: WebSocket) => Promise<() => void>) {
    ws.on('error', () => undefined);
    let stop: (() => void) | undefined;
    let closed = false;
    ws.on('close', () => {
      closed = true;
      if (stop) {
        stop();
        this.stops.delete(stop);
      }
    });
    try {
      stop = await open(ws);
    } catch (e) {
      this.logger.warn(`WebSocket subscription of ${org.name}: ${e instanceof Error ? e.message : String(e)}`);
      ws.close(1011, 'the subscription could not start');
      return;
    }
    if (closed) stop();
    else this.stops.add(stop);
  }

  /** The handshake refused with the binding's problem, as an HTTP answer: the connection never switches. */
  private refuse(socket: Duplex, req: IncomingMessage, error: unknown) {
    const problem = problemOf(error, req.url);
    const code = problem.status;
    const body = JSON.stringify(problem);
    const headers = {
      ...EPCIS_HEADERS,
      'Content-Type': 'application/problem+json',
      'Content-Length': String(Buffer.byteLength(body)),
      Connection: 'close',
    };
    socket.end(
      `HTTP/1.1 ${code} ${STATUS_CODES[code] ?? ''}\r\n${Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}`)
        .join('\r\n')}\r\n\r\n${body}`,
    );
  }

  onModuleDestroy() {
    this.server?.off('upgrade', this.upgrade);
    for (const stop of this.stops) stop();
    for (const ws of this.wss.clients) ws.close(1001, 'the server is stopping');
    this.wss.close();
  }
}

function sinkOf(ws: WebSocket) {
  return {
    send: (document: string) =>
      new Promise<void>((resolve, reject) => {
        if (ws.readyState !== WebSocket.OPEN) return resolve();
        ws.send(document, (error) => (error ? reject(error) : resolve()));
      }),
    get backlog() {
      return ws.bufferedAmount;
    },
    close: (code: number, reason: string) => ws.close(code, reason),
  };
}
