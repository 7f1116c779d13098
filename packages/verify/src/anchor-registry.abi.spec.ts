import { Interface } from 'ethers';
import artifact from '../../../libs/chain/src/artifacts/AnchorRegistry.json';
import { ANCHOR_REGISTRY_READ_ABI } from './anchor-registry.abi';

describe('ANCHOR_REGISTRY_READ_ABI', () => {
  it('declares each function and event (types, mutability, indexing) as the compiled AnchorRegistry does', () => {
    const compiled = new Interface(artifact.abi);
    const ours = new Interface(ANCHOR_REGISTRY_READ_ABI);
    ours.forEachFunction((fn) => expect(compiled.getFunction(fn.selector)?.format('minimal')).toBe(fn.format('minimal')));
    ours.forEachEvent((ev) => expect(compiled.getEvent(ev.topicHash)?.format('minimal')).toBe(ev.format('minimal')));
    expect(ours.fragments.length).toBe(4);
  });
});
