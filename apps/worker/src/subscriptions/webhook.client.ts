import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';
import { internalAddress, internalHost } from '@pharmatrace/domain';
import { lookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface WebhookResponse {
  status: number;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The worker's one way out to subscribers: POSTs a delivery, http(s) only, within a timeout, without following
 * redirects. A destination that is, or resolves to, a loopback, private or link-local address is refused at connect
 * time (the resolved address is the one connected to, so a name that changes its answer between a check and the
 * connection gains nothing), unless the operator allows them.
 */
@Injectable()
export class WebhookClient {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<WebhookResponse> {
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:')
      return Promise.reject(new Error(`${target.protocol} URLs are not delivered to; only http and https`));
    const guarded = !this.config.subscriptions.allowPrivateDestinations;
    const refused = guarded ? internalHost(target.hostname) : null;
    if (refused) return Promise.reject(new Error(`${refused}: webhooks go to public addresses only`));
    const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<WebhookResponse>((resolve, reject) => {
      const req = request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          timeout: timeoutMs,
          ...(guarded ? { lookup: publicOnlyLookup } : {}),
        },
        (res: IncomingMessage) => {
          // The answer's body is not read; discarding it frees the connection.
          res.resume();
          resolve({ status: res.statusCode ?? 0 });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

/** dns.lookup, answering an error instead of any internal address it resolves to. */
export function publicOnlyLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, options, (err, address, family) => {
    if (err) return callback(err, address as string, family);
    const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
    const internal = addresses.map(internalAddress).find((reason) => reason !== null);
    if (internal)
      return callback(
        Object.assign(new Error(`${hostname}: ${internal}; webhooks go to public addresses only`), { code: 'EACCES' }),
        '',
        0,
      );
    callback(null, address, family);
  });
}
