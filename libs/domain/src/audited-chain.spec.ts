import { judgeAuditedChain } from './audited-chain';

const REGISTRY = '0x5FbDB2315678afecb367f032d93F642f64180aa3';
const reached = { chainId: 31337, contractAddress: REGISTRY };
const anchoredOn = [{ chainId: 31337, contractAddress: REGISTRY.toLowerCase() }];
const sample = { batchId: 7, txHash: `0x${'a'.repeat(64)}`, blockHash: `0x${'b'.repeat(64)}`, final: true };

describe('judgeAuditedChain', () => {
  it('accepts the chain holding the sampled transaction in the recorded block', () => {
    expect(
      judgeAuditedChain({
        reached,
        configuredChainId: 31337,
        anchoredOn,
        sample,
        sampleReceipt: { blockHash: sample.blockHash.toUpperCase().replace('0X', '0x') },
      }),
    ).toEqual({ ok: true });
  });

  it('accepts any chain while nothing is anchored yet', () => {
    expect(judgeAuditedChain({ reached, anchoredOn: [] })).toEqual({ ok: true });
  });

  it('refuses a node answering another chain id than CHAIN_ID', () => {
    expect(
      judgeAuditedChain({ reached, configuredChainId: 1, anchoredOn, sample, sampleReceipt: { blockHash: sample.blockHash } }),
    ).toMatchObject({ ok: false, reason: expect.stringContaining('CHAIN_ID says 1') });
  });

  it('refuses a registry or chain no batch was anchored with', () => {
    const judgement = judgeAuditedChain({ reached: { chainId: 5, contractAddress: REGISTRY }, anchoredOn });
    expect(judgement).toMatchObject({ ok: false, reason: expect.stringContaining('not registry') });
  });

  it('refuses a same-id chain without the anchoring transaction (another anvil, same deterministic address)', () => {
    expect(judgeAuditedChain({ reached, anchoredOn, sample, sampleReceipt: null })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('is not on this chain'),
    });
  });

  it('refuses a chain holding the transaction in another block when the anchor was final, not when it was only mined', () => {
    const elsewhere = { blockHash: `0x${'c'.repeat(64)}` };
    expect(judgeAuditedChain({ reached, anchoredOn, sample, sampleReceipt: elsewhere })).toMatchObject({ ok: false });
    expect(judgeAuditedChain({ reached, anchoredOn, sample: { ...sample, final: false }, sampleReceipt: elsewhere })).toEqual({ ok: true });
  });
});
