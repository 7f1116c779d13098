import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig, ChainTarget } from '@pharmatrace/config';
import { HealthCheck } from './health.check';

const TIMEOUT_MS = 2_000;

/**
 * eth_blockNumber on every configured chain's RPC. Failures name the chain, never its URL (a provider's URL often
 * carries an API key).
 */
@Injectable()
export class ChainCheck implements HealthCheck {
  readonly name = 'chain';

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async run() {
    const heads = await Promise.all(this.config.chains.map(async (chain) => [chain.name, await this.blockNumber(chain)] as const));
    return { blockNumbers: Object.fromEntries(heads) };
  }

  private async blockNumber(chain: ChainTarget): Promise<number> {
    let response: Response;
    try {
      response = await fetch(chain.rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string } }).cause?.code ?? (e as Error).name;
      throw new Error(`chain ${chain.name}: RPC unreachable (${cause})`, { cause: e });
    }
    const body = (await response.json().catch(() => null)) as { result?: string } | null;
    if (!response.ok || typeof body?.result !== 'string')
      throw new Error(`chain ${chain.name}: RPC answered HTTP ${response.status} without a block number`);
    return Number(body.result);
  }
}
