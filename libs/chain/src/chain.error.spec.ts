import { Interface, makeError, ZeroHash } from 'ethers';
import { ANCHOR_REGISTRY_ABI } from './anchor-registry.abi';
import { ChainError, ChainErrorCode, toChainError } from './chain.error';

const registry = new Interface(ANCHOR_REGISTRY_ABI);
const ROOT = `0x${'ab'.repeat(32)}`;
const ANCHORER = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';

function callException(data: string) {
  return makeError('execution reverted', 'CALL_EXCEPTION', {
    action: 'estimateGas',
    data,
    reason: null,
    transaction: { to: null, data: '0x' },
    invocation: null,
    revert: null,
  });
}

describe('toChainError', () => {
  it('decodes RootAlreadyAnchored with the earlier block', () => {
    const error = toChainError(callException(registry.encodeErrorResult('RootAlreadyAnchored', [ROOT, 17n])), 'anchor', registry);
    expect(error).toBeInstanceOf(ChainError);
    expect(error.code).toBe(ChainErrorCode.ROOT_ALREADY_ANCHORED);
    expect(error.anchoredAtBlock).toBe(17n);
    expect(error.revertArgs).toEqual([ROOT, 17n]);
    expect(error.message).toContain('anchor:');
  });

  it('decodes a missing role as NOT_ANCHORER', () => {
    const role = registry.encodeErrorResult('AccessControlUnauthorizedAccount', [ANCHORER, ZeroHash]);
    expect(toChainError(callException(role), 'anchor', registry).code).toBe(ChainErrorCode.NOT_ANCHORER);
  });

  it('finds revert data nested in a JSON-RPC error body', () => {
    const nested = {
      code: 'UNKNOWN_ERROR',
      error: { code: 3, message: 'execution reverted', data: registry.encodeErrorResult('EmptyBatch', []) },
    };
    const error = toChainError(nested, 'anchor', registry);
    expect(error.code).toBe(ChainErrorCode.REVERTED);
    expect(error.revertName).toBe('EmptyBatch');
  });

  it('keeps an undecodable revert as REVERTED', () => {
    expect(toChainError(callException('0xdeadbeef'), 'anchor', registry).code).toBe(ChainErrorCode.REVERTED);
  });

  it.each([
    [makeError('nonce has already been used', 'NONCE_EXPIRED', { transaction: {} }), ChainErrorCode.NONCE_CONFLICT],
    [makeError('replacement fee too low', 'REPLACEMENT_UNDERPRICED', { transaction: {} }), ChainErrorCode.NONCE_CONFLICT],
    [new Error('nonce too low: next nonce 5, tx nonce 4'), ChainErrorCode.NONCE_CONFLICT],
    [makeError('insufficient funds', 'INSUFFICIENT_FUNDS', { transaction: {} }), ChainErrorCode.INSUFFICIENT_FUNDS],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), ChainErrorCode.RPC_UNAVAILABLE],
    [makeError('request timeout', 'TIMEOUT', { operation: 'send' }), ChainErrorCode.RPC_UNAVAILABLE],
    [
      makeError('bad response', 'SERVER_ERROR', { request: undefined as never, response: undefined as never }),
      ChainErrorCode.RPC_UNAVAILABLE,
    ],
    [new Error('something odd'), ChainErrorCode.UNKNOWN],
  ])('maps %s', (raw, code) => {
    const error = toChainError(raw, 'op', registry);
    expect(error.code).toBe(code);
    expect(error.cause).toBe(raw);
  });

  it('passes a ChainError through unchanged', () => {
    const original = new ChainError(ChainErrorCode.BAD_CONFIG, 'x', { operation: 'op', field: 'rpcUrl' });
    expect(toChainError(original, 'other')).toBe(original);
  });
});
