import { AnchorRegistryClient } from './anchor-registry.client';
import { ChainError, ChainErrorCode } from './chain.error';

const VALID = {
  rpcUrl: 'http://127.0.0.1:8545',
  contractAddress: '0x5FbDB2315678afecb367f032d93F642f64180aa3',
  chainId: 31337,
};
const DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';

function configError(run: () => unknown): ChainError {
  try {
    run();
  } catch (error) {
    if (error instanceof ChainError) return error;
    throw error;
  }
  throw new Error('expected a ChainError');
}

describe('AnchorRegistryClient configuration', () => {
  it.each([
    ['rpcUrl', { rpcUrl: 'not a url' }],
    ['rpcUrl', { rpcUrl: 'ws://127.0.0.1:8545' }],
    ['contractAddress', { contractAddress: '0x1234' }],
    ['privateKey', { privateKey: '0xnotakey' }],
    ['chainId', { chainId: 0 }],
  ])('rejects a bad %s as BAD_CONFIG', (field, override) => {
    const error = configError(() => new AnchorRegistryClient({ ...VALID, ...override }));
    expect(error.code).toBe(ChainErrorCode.BAD_CONFIG);
    expect(error.field).toBe(field);
  });

  it('never puts the private key in an error', () => {
    const badKey = `${DEV_KEY.slice(0, -2)}zz`;
    const error = configError(() => new AnchorRegistryClient({ ...VALID, privateKey: badKey }));
    expect(JSON.stringify({ message: error.message, stack: error.stack, cause: String(error.cause) })).not.toContain(badKey.slice(2, 40));
  });

  it('derives the signer address from the key without exposing the key', () => {
    const client = new AnchorRegistryClient({ ...VALID, privateKey: DEV_KEY });
    expect(client.signerAddress).toBe('0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266');
    expect(JSON.stringify(Object.values(client).map(String))).not.toContain(DEV_KEY.slice(2));
    client.destroy();
  });

  it('refuses to anchor without a key and validates inputs before any RPC', async () => {
    const client = new AnchorRegistryClient(VALID);
    const root = `0x${'11'.repeat(32)}`;
    await expect(client.anchor(root, 1n, 1)).rejects.toMatchObject({ code: ChainErrorCode.BAD_CONFIG, field: 'privateKey' });
    await expect(client.anchor('0x12', 1n, 1)).rejects.toMatchObject({ code: ChainErrorCode.INVALID_INPUT, field: 'root' });
    await expect(client.anchor(root, -1n, 1)).rejects.toMatchObject({ code: ChainErrorCode.INVALID_INPUT, field: 'batchId' });
    await expect(client.verify(['0x00'], root, root)).rejects.toMatchObject({ code: ChainErrorCode.INVALID_INPUT, field: 'proof[0]' });
    client.destroy();
    await expect(client.getBlockNumber()).rejects.toMatchObject({ code: ChainErrorCode.BAD_CONFIG });
  });
});
