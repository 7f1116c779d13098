import { Interface } from 'ethers';
import { ANCHOR_REGISTRY_READ_ABI } from './anchor-registry.abi';
import type { BundleAnchor } from './bundle.format';
import { JsonRpcClient } from './json-rpc.client';
import { ProblemCode } from './verification.report';

const registry = new Interface(ANCHOR_REGISTRY_READ_ABI);
const ANCHORED_TOPIC = registry.getEvent('Anchored')!.topicHash;

interface RpcTransaction {
  to: string | null;
  input: string;
  blockNumber: string | null;
}
interface RpcLog {
  address: string;
  topics: string[];
}
interface RpcReceipt {
  status: string;
  blockNumber: string;
  blockHash: string;
  logs: RpcLog[];
}

export interface AnchorFinding {
  code: ProblemCode;
  message: string;
}

export interface AnchorCheck {
  findings: AnchorFinding[];
  confirmations?: number;
}

/** What one event's anchor must be checked against: the root and proof the verifier itself just checked. */
export interface AnchorSubject {
  root: string;
  value: string;
  proof: string[];
}

const num = (hex: string) => Number(BigInt(hex));

function parseCall(input: string) {
  try {
    return registry.parseTransaction({ data: input });
  } catch {
    // A matching selector with undecodable arguments is as much "not an anchor call" as an unknown selector.
    return null;
  }
}
const sameAddress = (a: string | null, b: string) => a !== null && a.toLowerCase() === b.toLowerCase();

/**
 * Reads one chain through one RPC URL. Answers are cached per bundle run: a pack's events usually share a few
 * batches, so one transaction is fetched once however many events it anchors.
 */
export class ChainReader {
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    private readonly rpc: JsonRpcClient,
    private readonly options: { checkContractVerify: boolean },
  ) {}

  get host(): string {
    return this.rpc.host;
  }

  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (!this.memo.has(key)) this.memo.set(key, read());
    return this.memo.get(key) as Promise<T>;
  }

  chainId(): Promise<number> {
    return this.once('chainId', async () => num(await this.rpc.call<string>('eth_chainId', [])));
  }

  private latestBlock(): Promise<number> {
    return this.once('latest', async () => num(await this.rpc.call<string>('eth_blockNumber', [])));
  }

  private viewCall(contract: string, fn: string, args: unknown[]): Promise<string> {
    const data = registry.encodeFunctionData(fn, args);
    return this.once(`call:${contract}:${data}`, () => this.rpc.call<string>('eth_call', [{ to: contract, data }, 'latest']));
  }

  private transaction(hash: string): Promise<RpcTransaction | null> {
    return this.once(`tx:${hash}`, () => this.rpc.call<RpcTransaction | null>('eth_getTransactionByHash', [hash]));
  }

  private receipt(hash: string): Promise<RpcReceipt | null> {
    return this.once(`receipt:${hash}`, () => this.rpc.call<RpcReceipt | null>('eth_getTransactionReceipt', [hash]));
  }

  /**
   * Every fact the anchor states, read back from the chain: the registry's record of the root, the transaction
   * that wrote it (recipient, decoded input, receipt status, block, Anchored log) and, optionally, the contract's
   * own proof check. Throws VerifyError only when the RPC fails.
   */
  async check(anchor: BundleAnchor, subject: AnchorSubject): Promise<AnchorCheck> {
    const findings: AnchorFinding[] = [];
    const fail = (code: ProblemCode, message: string) => findings.push({ code, message });
    const contract = anchor.contract;
    const tx = anchor.transactionHash;

    const actualChain = await this.chainId();
    if (actualChain !== anchor.chainId) {
      // Every later answer would come from another chain and only add noise.
      fail(ProblemCode.CHAIN_ID_MISMATCH, `RPC ${this.host} serves chain ${actualChain}, bundle says chain ${anchor.chainId}`);
      return { findings };
    }

    const anchoredAtRaw = await this.viewCall(contract, 'anchoredAt', [subject.root]);
    if (anchoredAtRaw === '0x') {
      fail(ProblemCode.NO_REGISTRY, `contract ${contract} has no anchoredAt(bytes32): no AnchorRegistry at that address`);
    } else {
      const anchoredAt = Number(registry.decodeFunctionResult('anchoredAt', anchoredAtRaw)[0]);
      if (anchoredAt === 0) fail(ProblemCode.ROOT_NOT_ANCHORED, `contract ${contract} has never anchored root ${subject.root}`);
      else if (anchoredAt !== anchor.blockNumber) {
        fail(
          ProblemCode.ANCHOR_BLOCK_MISMATCH,
          `contract ${contract} anchored root ${subject.root} at block ${anchoredAt}, bundle says ${anchor.blockNumber}`,
        );
      }
    }

    const transaction = await this.transaction(tx);
    if (!transaction) {
      fail(ProblemCode.TRANSACTION_NOT_FOUND, `transaction ${tx} does not exist on chain ${anchor.chainId}`);
    } else {
      if (!sameAddress(transaction.to, contract)) {
        fail(
          ProblemCode.TRANSACTION_RECIPIENT_MISMATCH,
          `transaction ${tx} was sent to ${transaction.to ?? 'no address (a deployment)'}, bundle says contract ${contract}`,
        );
      }
      const call = parseCall(transaction.input);
      if (call?.name !== 'anchor') {
        fail(ProblemCode.TRANSACTION_NOT_ANCHOR, `transaction ${tx} is not a call to anchor(bytes32,uint256,uint256)`);
      } else if (String(call.args[0]).toLowerCase() !== subject.root.toLowerCase()) {
        fail(ProblemCode.TRANSACTION_ROOT_MISMATCH, `transaction ${tx} anchors root ${call.args[0]}, bundle says ${subject.root}`);
      }
    }

    let confirmations: number | undefined;
    const receipt = transaction ? await this.receipt(tx) : null;
    if (transaction && !receipt) fail(ProblemCode.TRANSACTION_NOT_FOUND, `transaction ${tx} is not mined`);
    if (receipt) {
      const minedIn = num(receipt.blockNumber);
      if (num(receipt.status) !== 1)
        fail(ProblemCode.TRANSACTION_FAILED, `transaction ${tx} reverted (receipt status ${num(receipt.status)})`);
      if (minedIn !== anchor.blockNumber) {
        fail(ProblemCode.TRANSACTION_BLOCK_MISMATCH, `transaction ${tx} was mined in block ${minedIn}, bundle says ${anchor.blockNumber}`);
      }
      if (anchor.blockHash !== undefined && anchor.blockHash.toLowerCase() !== receipt.blockHash.toLowerCase()) {
        fail(ProblemCode.BLOCK_HASH_MISMATCH, `transaction ${tx} is in block ${receipt.blockHash}, bundle says ${anchor.blockHash}`);
      }
      const logged = receipt.logs.some(
        (log) =>
          sameAddress(log.address, contract) &&
          log.topics[0] === ANCHORED_TOPIC &&
          log.topics[1]?.toLowerCase() === subject.root.toLowerCase(),
      );
      if (!logged)
        fail(ProblemCode.ANCHORED_LOG_MISSING, `transaction ${tx} emitted no Anchored(${subject.root}) from contract ${contract}`);
      confirmations = (await this.latestBlock()) - minedIn + 1;
    }

    if (this.options.checkContractVerify && anchoredAtRaw !== '0x') {
      const verified = await this.viewCall(contract, 'verify', [subject.proof, subject.root, subject.value]);
      if (verified === '0x' || !registry.decodeFunctionResult('verify', verified)[0]) {
        fail(ProblemCode.CONTRACT_REJECTS_PROOF, `contract ${contract} verify(proof, root, digest) returned false`);
      }
    }
    return findings.length ? { findings } : { findings, confirmations };
  }
}
