import { Controller, Get, Inject, Res } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '@pharmatrace/config';
import type { Response } from 'express';
import { Public } from '../common/auth.decorators';
import { contentSecurityPolicy, WebAssetsService } from './web-assets.service';

export interface ExplorerChain {
  name: string;
  /** Null when the server asks the node (CHAIN_ID unset): the page then checks eth_chainId against the proof. */
  chainId: number | null;
  rpcUrl: string;
}

/**
 * The regulators' explorer. It calls /graphql with the regulator's key, and each chain's RPC straight from the
 * browser to check proofs without trusting this server: so its connect-src names those RPC origins, and
 * config.json hands their URLs to the page. Both are public: an RPC URL with a secret in it (a provider key in the
 * path) must not be configured here. The RPC must answer cross-origin requests (anvil and geth --http.corsdomain do).
 */
@Public()
@Controller('explorer')
export class ExplorerController {
  private readonly chains: ExplorerChain[];
  private readonly csp: string;

  constructor(
    private readonly assets: WebAssetsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.chains = config.chains.map((c) => ({ name: c.name, chainId: c.chainId ?? null, rpcUrl: c.rpcUrl }));
    this.csp = contentSecurityPolicy([...new Set(this.chains.map((c) => new URL(c.rpcUrl).origin))]);
  }

  @Get()
  explorer(@Res() res: Response) {
    this.assets.sendPage(res, 'explorer.html', this.csp);
  }

  @Get('config.json')
  config(): { chains: ExplorerChain[] } {
    return { chains: this.chains };
  }
}
