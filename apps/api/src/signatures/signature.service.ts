import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { EVENT_BATCH_VERSION, eventBatchDigest, eventBatchTypedData, type EventBatchTypedData } from '@pharmatrace/domain';
import { hashDigest } from '@pharmatrace/epcis';
import { NewCaptureSignature, SignatureRepository } from '@pharmatrace/persistence';
import { getAddress, recoverAddress, Signature } from 'ethers';
import { SignatureError, SignatureRule } from './signature.error';

/** What a proof bundle carries per signed event (packages/verify/src/bundle.format.ts BundleSignature). */
export interface EventSignature {
  signer: string;
  signature: string;
  typedData: EventBatchTypedData;
}

/** The 65 bytes r ‖ s ‖ v of a 0x-hex signature (65 bytes, or 64 in EIP-2098 compact form). */
export function parseSignature(value: string): Buffer {
  try {
    return Buffer.from(Signature.from(value.trim()).serialized.slice(2), 'hex');
  } catch {
    throw new SignatureError(SignatureRule.MALFORMED, 'signature: not a 65-byte (or 64-byte compact) 0x-hex ECDSA signature');
  }
}

/**
 * EIP-712 signatures of capture documents (issue 6): checked before a capture is stored, served with the events
 * afterwards. The typed data and its digest are defined in libs/domain (pure); recovery uses ethers here, where it may
 * be imported.
 */
@Injectable()
export class SignatureService {
  constructor(private readonly signatures: SignatureRepository) {}

  /**
   * The signature to store with a document whose CBV 2.0 event hashes are `eventHashes` (document order), or
   * undefined for an unsigned capture the organization allows. Throws INVALID_SIGNATURE when the signature does
   * not recover the organization's registered address over exactly these hashes.
   */
  async check(org: Organization, eventHashes: readonly string[], signature: string | undefined): Promise<NewCaptureSignature | undefined> {
    const bytes = signature === undefined ? undefined : parseSignature(signature);
    const key = await this.signatures.signingKeyOf(org.id);
    if (!bytes) {
      if (key.requireSignedCaptures) {
        throw new SignatureError(SignatureRule.SIGNATURE_REQUIRED, `${org.name} requires every capture to be signed by ${key.ethAddress}`, {
          expected: key.ethAddress,
        });
      }
      return undefined;
    }
    if (!key.ethAddress) {
      throw new SignatureError(SignatureRule.NO_SIGNING_ADDRESS, `${org.name} has no signing address: call registerSigningAddress first`);
    }
    const digests = eventHashes.map((h) => hashDigest(h));
    const signer = recoverAddress(eventBatchDigest(org.gln, digests), `0x${bytes.toString('hex')}`);
    if (signer !== getAddress(key.ethAddress)) {
      throw new SignatureError(
        SignatureRule.SIGNER_MISMATCH,
        `signature recovers ${signer}, not ${org.name}'s signing address ${key.ethAddress}: it must sign the EIP-712 EventBatch ` +
          `{ organization: "${org.gln}", eventHashes: the document's ${digests.length} event digests in document order }`,
        { recovered: signer, expected: key.ethAddress },
      );
    }
    return {
      organizationId: org.id,
      organizationGln: org.gln,
      signer,
      signature: bytes,
      typedDataVersion: EVENT_BATCH_VERSION,
      eventHashes: digests,
    };
  }

  /** The signature of each signed event among `eventIds`, in the proof bundle's shape; unsigned events are absent. */
  async signatureFor(eventIds: readonly number[]): Promise<Map<number, EventSignature>> {
    const { byEvent, signatures } = await this.signatures.signaturesFor(eventIds);
    const shaped = new Map<number, EventSignature>();
    for (const [id, s] of signatures) {
      shaped.set(id, {
        signer: s.signer,
        signature: `0x${s.signature.toString('hex')}`,
        typedData: eventBatchTypedData(s.organizationGln, s.eventHashes),
      });
    }
    return new Map([...byEvent].map(([eventId, signatureId]) => [eventId, shaped.get(signatureId)!]));
  }
}
