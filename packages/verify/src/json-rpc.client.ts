import { VerifyError, VerifyErrorCode } from './verify.error';

/**
 * Bare JSON-RPC over fetch: every answer the verifier relies on is one visible request, with no provider cache,
 * network auto-detection or retry loop between the chain and the check (ethers' detection retries forever
 * against an unreachable node).
 */
export class JsonRpcClient {
  private nextId = 1;

  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {
    let protocol: string;
    try {
      protocol = new URL(url).protocol;
    } catch {
      throw new VerifyError(VerifyErrorCode.BAD_OPTIONS, `RPC URL ${JSON.stringify(url)} is not a URL`, 'rpcUrls');
    }
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new VerifyError(VerifyErrorCode.BAD_OPTIONS, `RPC URL must be http(s), got ${protocol}`, 'rpcUrls');
    }
  }

  /** Host only: RPC URLs often carry an API key in their path or query. */
  get host(): string {
    return new URL(this.url).host;
  }

  async call<T>(method: string, params: unknown[]): Promise<T> {
    let body: { result?: T; error?: { code: number; message: string } };
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: this.nextId++, method, params }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      body = (await response.json()) as typeof body;
    } catch (e) {
      throw new VerifyError(VerifyErrorCode.RPC_FAILED, `${method} to ${this.host}: ${(e as Error).message}`, method);
    }
    if (body.error) throw new VerifyError(VerifyErrorCode.RPC_FAILED, `${method} to ${this.host}: ${body.error.message}`, method);
    return body.result as T;
  }
}
