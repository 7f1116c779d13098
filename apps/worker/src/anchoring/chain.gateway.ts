import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AnchorRegistryClient } from '@pharmatrace/chain';
import { APP_CONFIG, AppConfig } from '@pharmatrace/config';

/** The worker's one way to the chain: an AnchorRegistryClient built from the validated configuration. */
@Injectable()
export class ChainGateway extends AnchorRegistryClient implements OnModuleDestroy {
  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (!config.chain.contractAddress || !config.chain.anchorerPrivateKey) {
      throw new Error('the worker needs ANCHOR_CONTRACT_ADDRESS and ANCHORER_PRIVATE_KEY');
    }
    super({
      rpcUrl: config.chain.rpcUrl,
      contractAddress: config.chain.contractAddress,
      privateKey: config.chain.anchorerPrivateKey,
      chainId: config.chain.chainId,
    });
  }

  onModuleDestroy() {
    this.destroy();
  }
}
