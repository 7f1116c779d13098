import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { caseEntryDigest } from '@pharmatrace/domain';
import { SignatureRepository } from '@pharmatrace/persistence';
import { getAddress, recoverAddress } from 'ethers';
import { SignatureError, SignatureRule } from '../signatures/signature.error';
import { parseSignature } from '../signatures/signature.service';

/**
 * Signatures of case entries, by the scheme of signed captures (issue 6): the platform holds no organization's key;
 * an organization that registered a signing address may sign the EIP-712 `CaseEntry { organization: its GLN,
 * entryHash }` of the change it makes, and the signature is checked against that address before the change is stored.
 * A change without one is still hashed, chained and anchored, attributed by the API key that made it (and the audit
 * log); signing is never required, since the platform itself opens cases (receiving reconciliation) where no client
 * is there to sign.
 */
@Injectable()
export class CaseSignatureService {
  constructor(private readonly signatures: SignatureRepository) {}

  async check(org: Organization, entryHash: string, signature: string | undefined): Promise<{ signer: string; signature: Buffer } | null> {
    if (signature === undefined) return null;
    const bytes = parseSignature(signature);
    const key = await this.signatures.signingKeyOf(org.id);
    if (!key.ethAddress) {
      throw new SignatureError(SignatureRule.NO_SIGNING_ADDRESS, `${org.name} has no signing address: call registerSigningAddress first`);
    }
    const signer = recoverAddress(caseEntryDigest(org.gln, entryHash), `0x${bytes.toString('hex')}`);
    if (signer !== getAddress(key.ethAddress)) {
      throw new SignatureError(
        SignatureRule.SIGNER_MISMATCH,
        `signature recovers ${signer}, not ${org.name}'s signing address ${key.ethAddress}: it must sign the EIP-712 CaseEntry ` +
          `{ organization: "${org.gln}", entryHash: ${entryHash} } (the hash of the entry as docs/cases.md defines it)`,
        { recovered: signer, expected: key.ethAddress, entryHash },
      );
    }
    return { signer, signature: bytes };
  }
}
