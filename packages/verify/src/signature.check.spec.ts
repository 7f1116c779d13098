import { Wallet } from 'ethers';
import { checkSignature } from './signature.check';

const HASH = `ni:///sha-256;${'a1'.repeat(32)}?ver=CBV2.0`;
const DIGEST = `0x${'a1'.repeat(32)}`;
const wallet = new Wallet(`0x${'42'.repeat(32)}`);
const domain = { name: 'pharmatrace', version: '1', chainId: 31337 };
const types = {
  EventAttestation: [
    { name: 'eventDigest', type: 'bytes32' },
    { name: 'role', type: 'string' },
  ],
};

async function signed(message: Record<string, unknown>) {
  return {
    signer: wallet.address,
    signature: await wallet.signTypedData(domain, types, message),
    typedData: { domain, types, primaryType: 'EventAttestation', message },
  };
}

describe('checkSignature', () => {
  it('accepts an EIP-712 attestation naming the event digest, and returns its signer', async () => {
    expect(checkSignature(await signed({ eventDigest: DIGEST, role: 'MANUFACTURER' }), HASH, DIGEST)).toEqual({
      ok: true,
      signer: wallet.address,
    });
  });

  it('accepts types listing EIP712Domain, as eth_signTypedData_v4 payloads do', async () => {
    const s = await signed({ eventDigest: DIGEST, role: 'MANUFACTURER' });
    const withDomain = { ...s, typedData: { ...s.typedData, types: { ...types, EIP712Domain: [{ name: 'name', type: 'string' }] } } };
    expect(checkSignature(withDomain, HASH, DIGEST).ok).toBe(true);
  });

  it('names a signature that recovers someone else than the signer it claims', async () => {
    const s = await signed({ eventDigest: DIGEST, role: 'MANUFACTURER' });
    const other = Wallet.createRandom().address;
    expect(checkSignature({ ...s, signer: other }, HASH, DIGEST)).toEqual({
      ok: false,
      reason: 'signer',
      message: `signature recovers signer ${wallet.address}, bundle says ${other}`,
    });
  });

  it('names a signed message changed after signing', async () => {
    const s = await signed({ eventDigest: DIGEST, role: 'MANUFACTURER' });
    const changed = { ...s, typedData: { ...s.typedData, message: { ...s.typedData.message, role: 'DISPENSER' } } };
    expect(checkSignature(changed, HASH, DIGEST)).toMatchObject({ ok: false, reason: 'signer' });
  });

  it('names a valid signature over a message that does not name this event', async () => {
    const s = await signed({ eventDigest: `0x${'b2'.repeat(32)}`, role: 'MANUFACTURER' });
    expect(checkSignature(s, HASH, DIGEST)).toMatchObject({ ok: false, reason: 'commitment' });
  });

  it('names a signature that is not one', async () => {
    const s = await signed({ eventDigest: DIGEST, role: 'MANUFACTURER' });
    expect(checkSignature({ ...s, signature: '0x1234' }, HASH, DIGEST)).toMatchObject({ ok: false, reason: 'invalid' });
  });
});
