import { Injectable } from '@nestjs/common';

export interface WebhookResponse {
  status: number;
}

/**
 * The one way a subscription delivery leaves the platform: an HTTP(S) POST with a timeout, redirects not followed
 * (a 3xx is a failed delivery: the subscriber gave that URL). The service tier fakes this class.
 */
@Injectable()
export class WebhookClient {
  async post(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<WebhookResponse> {
    const protocol = new URL(url).protocol;
    if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`${protocol} URLs are not delivered to; only http and https`);
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'TimeoutError') throw new Error(`no answer within ${timeoutMs} ms`, { cause: e });
      const cause = (e as { cause?: { message?: unknown } }).cause?.message;
      throw new Error(typeof cause === 'string' ? cause : e instanceof Error ? e.message : String(e), { cause: e });
    }
    // The answer's body is not read; cancelling it frees the connection.
    await res.body?.cancel().catch(() => undefined);
    return { status: res.status };
  }
}
