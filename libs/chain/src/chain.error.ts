import { Interface, isError, isHexString } from 'ethers';

export enum ChainErrorCode {
  RPC_UNAVAILABLE = 'RPC_UNAVAILABLE',
  ROOT_ALREADY_ANCHORED = 'ROOT_ALREADY_ANCHORED',
  NOT_ANCHORER = 'NOT_ANCHORER',
  NONCE_CONFLICT = 'NONCE_CONFLICT',
  INSUFFICIENT_FUNDS = 'INSUFFICIENT_FUNDS',
  REVERTED = 'REVERTED',
  BAD_CONFIG = 'BAD_CONFIG',
  INVALID_INPUT = 'INVALID_INPUT',
  UNKNOWN = 'UNKNOWN',
}

export interface ChainErrorDetails {
  /** Client operation that failed, e.g. `anchor`, `getReceipt`. */
  operation: string;
  /** Config or argument at fault, for BAD_CONFIG and INVALID_INPUT. */
  field?: string;
  /** Decoded custom error of the contract, when the call reverted with one. */
  revertName?: string;
  revertArgs?: readonly unknown[];
  /** For ROOT_ALREADY_ANCHORED: the block that holds the earlier anchor. */
  anchoredAtBlock?: bigint;
}

export class ChainError extends Error {
  readonly operation: string;
  readonly field?: string;
  readonly revertName?: string;
  readonly revertArgs?: readonly unknown[];
  readonly anchoredAtBlock?: bigint;

  constructor(
    readonly code: ChainErrorCode,
    message: string,
    details: ChainErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(`${details.operation}: ${message}`, options);
    this.name = 'ChainError';
    this.operation = details.operation;
    this.field = details.field;
    this.revertName = details.revertName;
    this.revertArgs = details.revertArgs;
    this.anchoredAtBlock = details.anchoredAtBlock;
  }
}

const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EPIPE',
]);

/** Revert payloads sit at different depths depending on whether estimateGas, call or the node's JSON-RPC error carried them. */
function findRevertData(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || error === null || typeof error !== 'object') return undefined;
  const record = error as Record<string, unknown>;
  if (typeof record.data === 'string' && isHexString(record.data) && record.data.length >= 10) return record.data;
  for (const key of ['error', 'info', 'cause']) {
    const found = findRevertData(record[key], depth + 1);
    if (found) return found;
  }
  return undefined;
}

function errnoOf(error: unknown): string | undefined {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NETWORK_ERRNOS.has(code)) return code;
  }
  return undefined;
}

/** Maps anything ethers (or the node behind it) throws to a ChainError, decoding the registry's custom errors. */
export function toChainError(error: unknown, operation: string, contractInterface?: Interface): ChainError {
  if (error instanceof ChainError) return error;
  const cause = { cause: error };

  const revertData = findRevertData(error);
  if (revertData && contractInterface) {
    const decoded = contractInterface.parseError(revertData);
    if (decoded) {
      const details = { operation, revertName: decoded.name, revertArgs: [...decoded.args] };
      if (decoded.name === 'RootAlreadyAnchored') {
        const anchoredAtBlock = decoded.args[1] as bigint;
        return new ChainError(
          ChainErrorCode.ROOT_ALREADY_ANCHORED,
          `root ${decoded.args[0]} already anchored at block ${anchoredAtBlock}`,
          { ...details, anchoredAtBlock },
          cause,
        );
      }
      if (decoded.name === 'AccessControlUnauthorizedAccount') {
        return new ChainError(ChainErrorCode.NOT_ANCHORER, `account ${decoded.args[0]} lacks role ${decoded.args[1]}`, details, cause);
      }
      return new ChainError(ChainErrorCode.REVERTED, `reverted with ${decoded.name}(${decoded.args.join(', ')})`, details, cause);
    }
  }

  if (isError(error, 'CALL_EXCEPTION')) {
    return new ChainError(ChainErrorCode.REVERTED, `reverted: ${error.shortMessage}`, { operation }, cause);
  }
  if (isError(error, 'NONCE_EXPIRED') || isError(error, 'REPLACEMENT_UNDERPRICED') || isError(error, 'TRANSACTION_REPLACED')) {
    return new ChainError(ChainErrorCode.NONCE_CONFLICT, error.shortMessage, { operation }, cause);
  }
  if (isError(error, 'INSUFFICIENT_FUNDS')) {
    return new ChainError(ChainErrorCode.INSUFFICIENT_FUNDS, error.shortMessage, { operation }, cause);
  }
  const errno = errnoOf(error);
  if (errno || isError(error, 'NETWORK_ERROR') || isError(error, 'TIMEOUT') || isError(error, 'SERVER_ERROR')) {
    return new ChainError(
      ChainErrorCode.RPC_UNAVAILABLE,
      `RPC unavailable (${errno ?? (error as { code: string }).code})`,
      { operation },
      cause,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/nonce (too low|too high|has already been used)|already known/i.test(message)) {
    return new ChainError(ChainErrorCode.NONCE_CONFLICT, message, { operation }, cause);
  }
  return new ChainError(ChainErrorCode.UNKNOWN, message, { operation }, cause);
}
