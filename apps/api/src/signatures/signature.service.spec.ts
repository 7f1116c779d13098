import type { Organization } from '@pharmatrace/domain';
import { EVENT_BATCH_DOMAIN, EVENT_BATCH_TYPES, eventBatchDigest, eventBatchMessage, eventBatchTypedData } from '@pharmatrace/domain';
import { digestToHash } from '@pharmatrace/epcis';
import type { SignatureRepository } from '@pharmatrace/persistence';
import { hexlify, TypedDataEncoder, Wallet } from 'ethers';
import fc from 'fast-check';
import { checkSignature } from 'pharmatrace-verify';
import { SignatureRule } from './signature.error';
import { SignatureService } from './signature.service';

const GLN = '0614141000012';
const DIGESTS = [new Uint8Array(32).fill(0xa1), new Uint8Array(32).fill(0xb2)];
const HASHES = DIGESTS.map(digestToHash);
const wallet = new Wallet(`0x${'42'.repeat(32)}`);
/** Pinned in libs/domain/src/event-signature.spec.ts from an EIP-712 encoding written without ethers. */
const SIGNING_DIGEST = '0xe07c0cc2bbd1607f9c0a95b2c1947ae8ab485520229117bcb2eaebf14f778025';
const SIGNATURE =
  '0x4b5e485a08a167d2f8620754f17281f9718b3dbf9cb66192692f9ace1dadc38e1126ce3a72cbefcb22a5ea7c3641530a54e4b72c378ef2c9748a753d3298e1af1b';

const org = { id: 'org-1', name: 'ACME Pharma', gln: GLN } as Organization;
const serviceFor = (ethAddress: string | null, requireSignedCaptures = false) =>
  new SignatureService({ signingKeyOf: async () => ({ ethAddress, requireSignedCaptures }) } as unknown as SignatureRepository);

describe('event batch signatures', () => {
  it('signs a fixed batch with a fixed key to a fixed signature (known answer)', async () => {
    expect(await wallet.signTypedData(EVENT_BATCH_DOMAIN, EVENT_BATCH_TYPES, eventBatchMessage(GLN, DIGESTS))).toBe(SIGNATURE);
    expect(wallet.signingKey.sign(SIGNING_DIGEST).serialized).toBe(SIGNATURE);
  });

  it("computes the digest ethers' TypedDataEncoder computes, for any batch", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 20 }), (digests) => {
        expect(hexlify(eventBatchDigest(GLN, digests))).toBe(
          TypedDataEncoder.hash(EVENT_BATCH_DOMAIN, EVENT_BATCH_TYPES, eventBatchMessage(GLN, digests)),
        );
      }),
    );
  });

  it('accepts the signature of the registered address and keeps what a bundle needs', async () => {
    const stored = await serviceFor(wallet.address.toLowerCase()).check(org, HASHES, SIGNATURE);
    expect(stored).toEqual({
      organizationId: 'org-1',
      organizationGln: GLN,
      signer: wallet.address,
      signature: Buffer.from(SIGNATURE.slice(2), 'hex'),
      typedDataVersion: '1',
      eventHashes: DIGESTS.map((d) => Buffer.from(d)),
    });
  });

  it('refuses the same signature over the hashes in another order', async () => {
    await expect(serviceFor(wallet.address).check(org, [...HASHES].reverse(), SIGNATURE)).rejects.toMatchObject({
      code: 'INVALID_SIGNATURE',
      rule: SignatureRule.SIGNER_MISMATCH,
    });
  });

  it('writes typed data the standalone verifier accepts for every event it covers', () => {
    const bundled = { signer: wallet.address, signature: SIGNATURE, typedData: eventBatchTypedData(GLN, DIGESTS) };
    HASHES.forEach((hash, i) =>
      expect(checkSignature(bundled, hash, `0x${Buffer.from(DIGESTS[i]).toString('hex')}`)).toEqual({ ok: true, signer: wallet.address }),
    );
  });

  it('lets an organization capture unsigned unless it requires signatures', async () => {
    await expect(serviceFor(null).check(org, HASHES, undefined)).resolves.toBeUndefined();
    await expect(serviceFor(wallet.address, true).check(org, HASHES, undefined)).rejects.toMatchObject({
      rule: SignatureRule.SIGNATURE_REQUIRED,
    });
  });
});
