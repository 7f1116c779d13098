import { ContractFactory, getAddress, Wallet } from 'ethers';
import { ANCHOR_REGISTRY_ABI, ANCHOR_REGISTRY_BYTECODE } from './anchor-registry.abi';
import { ChainError, ChainErrorCode, toChainError } from './chain.error';
import { assertChainId, assertRpcUrl, connectProvider } from './json-rpc.connection';

export interface DeployAnchorRegistryOptions {
  rpcUrl: string;
  privateKey: string;
  /** Defaults to the deployer. */
  admin?: string;
  /** Defaults to the deployer. */
  anchorer?: string;
  chainId?: number;
}

export interface DeployedAnchorRegistry {
  address: string;
  blockNumber: number;
  txHash: string;
}

function checkedAddress(value: string, field: string): string {
  try {
    return getAddress(value);
  } catch {
    throw new ChainError(ChainErrorCode.BAD_CONFIG, `${field} is not an address`, { operation: 'deployAnchorRegistry', field });
  }
}

export async function deployAnchorRegistry(options: DeployAnchorRegistryOptions): Promise<DeployedAnchorRegistry> {
  const operation = 'deployAnchorRegistry';
  assertRpcUrl(options.rpcUrl, operation);
  assertChainId(options.chainId, operation);
  let wallet: Wallet;
  try {
    wallet = new Wallet(options.privateKey);
  } catch {
    throw new ChainError(ChainErrorCode.BAD_CONFIG, 'privateKey is not a valid secp256k1 key', { operation, field: 'privateKey' });
  }
  const admin = checkedAddress(options.admin ?? wallet.address, 'admin');
  const anchorer = checkedAddress(options.anchorer ?? wallet.address, 'anchorer');

  const provider = await connectProvider(options, operation);
  try {
    const factory = new ContractFactory(ANCHOR_REGISTRY_ABI, ANCHOR_REGISTRY_BYTECODE, wallet.connect(provider));
    const contract = await factory.deploy(admin, anchorer);
    const receipt = await contract.deploymentTransaction()!.wait();
    if (!receipt || receipt.status !== 1 || !receipt.contractAddress) {
      throw new ChainError(ChainErrorCode.REVERTED, 'deployment transaction failed', { operation });
    }
    return { address: receipt.contractAddress, blockNumber: receipt.blockNumber, txHash: receipt.hash };
  } catch (error) {
    throw toChainError(error, operation);
  } finally {
    provider.destroy();
  }
}
