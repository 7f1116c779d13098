import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { AnchorRegistryClient } from '@pharmatrace/chain';
import { APP_CONFIG, AppConfig, ChainTarget } from '@pharmatrace/config';

/** One configured chain: its client, and its chain id as the node reports it (asked once, then kept). */
export class ChainLink {
  private resolvedId?: number;

  constructor(
    readonly target: ChainTarget,
    readonly client: AnchorRegistryClient,
  ) {
    this.resolvedId = target.chainId;
  }

  get name(): string {
    return this.target.name;
  }

  get knownChainId(): number | undefined {
    return this.resolvedId;
  }

  async chainId(): Promise<number> {
    this.resolvedId ??= await this.client.chainId();
    return this.resolvedId;
  }
}

/** The worker's ways to the chains it anchors to, built from the validated configuration; the first is primary. */
@Injectable()
export class ChainGateway implements OnModuleDestroy {
  readonly links: readonly ChainLink[];

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.links = config.chains.map((target) => {
      if (!target.contractAddress || !target.anchorerPrivateKey) {
        throw new Error(
          `the worker needs a contract address and an anchorer key for chain ${target.name} (ANCHOR_CONTRACT_ADDRESS, ANCHORER_PRIVATE_KEY or CHAINS)`,
        );
      }
      const client = new AnchorRegistryClient({
        rpcUrl: target.rpcUrl,
        contractAddress: target.contractAddress,
        privateKey: target.anchorerPrivateKey,
        chainId: target.chainId,
      });
      return new ChainLink(target, client);
    });
  }

  get primary(): ChainLink {
    return this.links[0];
  }

  onModuleDestroy() {
    for (const link of this.links) link.client.destroy();
  }
}
