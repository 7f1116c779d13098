import { AnchorRegistryClient, deployAnchorRegistry, startAnvil } from '@pharmatrace/chain';
import { keccak256, toUtf8Bytes } from 'ethers';
import type { BenchRow } from './bench.types';

const ANCHORS = 5;

/** Gas per `anchor` on a fresh anvil: it must stay flat in batch size, so leaf counts span 1 to 10^6. */
export async function benchAnchorGas(): Promise<BenchRow[]> {
  const anvil = await startAnvil({ port: 0 });
  try {
    const [key] = anvil.accounts;
    const { address } = await deployAnchorRegistry({ rpcUrl: anvil.rpcUrl, privateKey: key.privateKey, chainId: anvil.chainId });
    const client = new AnchorRegistryClient({
      rpcUrl: anvil.rpcUrl,
      contractAddress: address,
      privateKey: key.privateKey,
      chainId: anvil.chainId,
    });
    try {
      const gas: number[] = [];
      for (let i = 0; i < ANCHORS; i++) {
        const leafCount = 10 ** Math.round((6 * i) / (ANCHORS - 1));
        const sent = await client.anchor(keccak256(toUtf8Bytes(`bench-root-${i}`)), BigInt(i + 1), leafCount);
        const receipt = await client.waitForReceipt(sent.hash, 1, 10_000);
        if (!receipt || receipt.status !== 1) throw new Error(`bench anchor ${i} not mined`);
        gas.push(Number(receipt.gasUsed));
      }
      const note = `${ANCHORS} anchors, leafCount 1..1e6, anvil ${anvil.chainId}, target <= 50000`;
      return [
        { name: 'anchor gas (max)', value: Math.max(...gas), unit: 'gas', note },
        { name: 'anchor gas (mean)', value: Math.round(gas.reduce((a, b) => a + b, 0) / gas.length), unit: 'gas', note },
      ];
    } finally {
      client.destroy();
    }
  } finally {
    await anvil.stop();
  }
}

if (require.main === module) {
  benchAnchorGas().then((results) => process.stdout.write(`${JSON.stringify(results, null, 2)}\n`));
}
