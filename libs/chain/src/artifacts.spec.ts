import { compileAnchorRegistry } from '../../../scripts/compile-contracts';
import committed from './artifacts/AnchorRegistry.json';

const STALE =
  'libs/chain/src/artifacts/AnchorRegistry.json is stale: run `npm run contracts:build` (node -r @swc-node/register scripts/compile-contracts.ts)';

describe('committed AnchorRegistry artifact', () => {
  const fresh = compileAnchorRegistry();

  it('matches a fresh compilation of contracts/ and its OpenZeppelin imports', () => {
    const same =
      fresh.sourceHash === committed.sourceHash &&
      fresh.bytecode === committed.bytecode &&
      fresh.deployedBytecode === committed.deployedBytecode;
    if (!same) throw new Error(STALE);
    expect(committed.abi).toEqual(fresh.abi);
    expect(committed.compiler).toEqual(fresh.compiler);
  });

  it('exposes the registry interface the chain client relies on', () => {
    const names = committed.abi.filter((item) => 'name' in item).map((item) => `${item.type}:${(item as { name: string }).name}`);
    expect(names).toEqual(
      expect.arrayContaining([
        'function:anchor',
        'function:anchoredAt',
        'function:verify',
        'function:ANCHORER_ROLE',
        'event:Anchored',
        'error:RootAlreadyAnchored',
        'error:EmptyRoot',
        'error:EmptyBatch',
        'error:AccessControlUnauthorizedAccount',
      ]),
    );
  });
});
