export interface Eip1559Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

/** Nodes (geth, anvil, reth) accept a same-nonce replacement only if both fee caps rose by at least this much. */
export const MIN_REPLACEMENT_BUMP_PERCENT = 10;

const raise = (fee: bigint, percent: number) => (fee * BigInt(100 + percent) + 99n) / 100n;
const max = (a: bigint, b: bigint) => (a > b ? a : b);

/**
 * Fees for a replacement of a stuck EIP-1559 transaction: each cap raised by `percent` (rounded up, and by at least
 * one wei so a zero tip still moves), and never below what the network asks now, so a fee spike is met at once.
 * The priority fee never exceeds the fee cap, which nodes reject.
 */
export function bumpFees(previous: Eip1559Fees, percent: number, network?: Partial<Eip1559Fees>): Eip1559Fees {
  if (!Number.isInteger(percent) || percent < MIN_REPLACEMENT_BUMP_PERCENT) {
    throw new RangeError(`percent must be an integer >= ${MIN_REPLACEMENT_BUMP_PERCENT}, got ${percent}`);
  }
  const tip = max(
    max(raise(previous.maxPriorityFeePerGas, percent), previous.maxPriorityFeePerGas + 1n),
    network?.maxPriorityFeePerGas ?? 0n,
  );
  const cap = max(max(raise(previous.maxFeePerGas, percent), previous.maxFeePerGas + 1n), network?.maxFeePerGas ?? 0n);
  return { maxFeePerGas: max(cap, tip), maxPriorityFeePerGas: tip };
}
