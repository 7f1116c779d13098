import { CASE_ENTRY_TYPES, caseEntryDigest, caseEntryTypedData, EVENT_BATCH_DOMAIN } from '@pharmatrace/domain';
import type { SignatureRepository } from '@pharmatrace/persistence';
import { TypedDataEncoder, verifyTypedData, Wallet } from 'ethers';
import { MANUFACTURER } from '../common/organization.fixtures';
import { SignatureError, SignatureRule } from '../signatures/signature.error';
import { CaseSignatureService } from './case-signature.service';

const ENTRY_HASH = `0x${'5a'.repeat(32)}`;

function service(ethAddress: string | null) {
  const repository = { signingKeyOf: async () => ({ ethAddress, requireSignedCaptures: false }) } as unknown as SignatureRepository;
  return new CaseSignatureService(repository);
}

const rule = (p: Promise<unknown>) =>
  p.then(
    () => 'accepted',
    (e: unknown) => (e instanceof SignatureError ? e.rule : e),
  );

describe('CaseSignatureService: EIP-712 CaseEntry signatures, checked against the registered address', () => {
  const wallet = Wallet.createRandom();
  const sign = (w: Pick<Wallet, 'signTypedData'>, gln = MANUFACTURER.gln, entryHash = ENTRY_HASH) =>
    w.signTypedData(EVENT_BATCH_DOMAIN, CASE_ENTRY_TYPES, { organization: gln, entryHash });

  it('computes the digest ethers computes for the same typed data, which anyone can recover', async () => {
    const typed = caseEntryTypedData(MANUFACTURER.gln, ENTRY_HASH);
    expect(`0x${Buffer.from(caseEntryDigest(MANUFACTURER.gln, ENTRY_HASH)).toString('hex')}`).toBe(
      TypedDataEncoder.hash(EVENT_BATCH_DOMAIN, CASE_ENTRY_TYPES, typed.message),
    );
    const { EIP712Domain: _, ...types } = typed.types;
    expect(verifyTypedData(typed.domain, types, typed.message, await sign(wallet))).toBe(wallet.address);
  });

  it('accepts the registered signer over this GLN and hash, and nothing else', async () => {
    const checker = service(wallet.address);
    await expect(checker.check(MANUFACTURER, ENTRY_HASH, undefined)).resolves.toBeNull();
    await expect(checker.check(MANUFACTURER, ENTRY_HASH, await sign(wallet))).resolves.toMatchObject({ signer: wallet.address });
    expect(await rule(checker.check(MANUFACTURER, ENTRY_HASH, await sign(Wallet.createRandom())))).toBe(SignatureRule.SIGNER_MISMATCH);
    expect(await rule(checker.check(MANUFACTURER, ENTRY_HASH, await sign(wallet, '0614141000029')))).toBe(SignatureRule.SIGNER_MISMATCH);
    expect(await rule(checker.check(MANUFACTURER, ENTRY_HASH, await sign(wallet, MANUFACTURER.gln, `0x${'00'.repeat(32)}`)))).toBe(
      SignatureRule.SIGNER_MISMATCH,
    );
    expect(await rule(checker.check(MANUFACTURER, ENTRY_HASH, '0x1234'))).toBe(SignatureRule.MALFORMED);
    expect(await rule(service(null).check(MANUFACTURER, ENTRY_HASH, await sign(wallet)))).toBe(SignatureRule.NO_SIGNING_ADDRESS);
  });
});
