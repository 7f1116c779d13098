import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { digestToHash, servedEvent } from '@pharmatrace/epcis';
import { canonicalEpc, Gs1Error } from '@pharmatrace/gs1';

import { type BundleEvent, type ProofBundle, UNNAMED_HASH_RULES } from 'pharmatrace-verify';
import { ProofService } from '../anchoring/proof.service';
import { PackHistoryService } from '../provenance/pack-history.service';
import { SignatureService } from '../signatures/signature.service';
import { anchorsOf } from './proof-anchors';
import { ProofBundleError, ProofBundleErrorCode } from './proof-bundle.error';

/**
 * Proof bundle v1 (packages/verify/src/bundle.format.ts): a pack's history and its proofs, checkable offline from us.
 * The read policy cuts it exactly as it cuts provenance: a reader party to some events only gets those events, each
 * with its own proof (every event verifies on its own), and a reader party to none is refused FORBIDDEN.
 */
@Injectable()
export class ProofBundleService {
  constructor(
    private readonly history: PackHistoryService,
    private readonly proofs: ProofService,
    private readonly signatures: SignatureService,
  ) {}

  async bundle(input: string, org: Organization): Promise<ProofBundle> {
    const epc = this.canonical(input);
    const { visible: history } = await this.history.readable(epc, org);
    if (!history.length) throw new ProofBundleError(ProofBundleErrorCode.NO_EVENTS, `no event names ${epc}`, { epc });
    const [proofs, signatures] = await Promise.all([
      this.proofs.proofsFor(history.map((h) => h.event)),
      this.signatures.signatureFor(history.map((h) => h.event.id)),
    ]);
    return {
      format: 'pharmatrace-proof-bundle',
      version: 1,
      generatedAt: new Date().toISOString(),
      epc,
      events: history.map(({ event, via }): BundleEvent => {
        const proof = proofs.get(event.id);
        const signature = signatures.get(event.id);
        return {
          // Under the rules before issue 14 a context's spelling of a namespace is part of the hash: such an event is
          // shown exactly as stored, rebinding cbvmda if its capture did.
          event:
            event.hashRules >= 2
              ? servedEvent({ body: event.body, errorDeclaration: event.corrections.at(-1)?.errorDeclaration })
              : { ...event.body, ...(event.corrections.length ? { errorDeclaration: event.corrections.at(-1)!.errorDeclaration } : {}) },
          eventHash: digestToHash(event.hash),
          ...(event.ignoreFields.length ? { ignoreFields: event.ignoreFields } : {}),
          // Events hashed with other rules than those a bundle assumes when it names none say which.
          ...(event.hashRules === UNNAMED_HASH_RULES ? {} : { hashRules: event.hashRules }),
          via,
          ...(proof ? { merkle: { leafEncoding: ['bytes32'], value: proof.eventDigest, proof: proof.merkleProof, root: proof.root } } : {}),
          anchors: proof ? anchorsOf(proof) : [],
          ...(signature ? { signature } : {}),
        };
      }),
    };
  }

  private canonical(input: string): string {
    try {
      return canonicalEpc(input.trim());
    } catch (e) {
      if (e instanceof Gs1Error)
        throw new ProofBundleError(ProofBundleErrorCode.INVALID_EPC, `epc: ${e.message}`, { field: 'epc', rule: e.rule });
      throw e;
    }
  }
}
