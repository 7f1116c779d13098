import type { Organization } from '@pharmatrace/domain';
import { Injectable } from '@nestjs/common';
import { vrsAnswerFor, VrsAnswer } from '@pharmatrace/domain';
import { gs1DateToIso, Gs1Error, isValidGtin, validateAiValue } from '@pharmatrace/gs1';

import { VerificationError, VerificationErrorCode } from './verification.error';
import { VerificationService } from './verification.service';

export interface VrsRequest {
  gtin: string;
  lot: string;
  serial: string;
  exp?: string;
  linkType?: string;
  context?: string;
  reqGLN?: string;
  corrUUID?: string;
}

/** GS1 Lightweight Messaging Standard for DSCSA verification: the answer the Verification Router Service relays. */
export interface VrsResponse {
  verificationTimestamp: string;
  responderGLN: string | null;
  data: VrsAnswer;
  corrUUID?: string;
}

const CONTEXTS = new Set(['dscsaSaleableReturn', 'dscsaVerification']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

@Injectable()
export class VrsService {
  constructor(private readonly verification: VerificationService) {}

  /** `requestor`: the organization whose API key came with the request (the guard admits only roles that may ask). */
  async verify(req: VrsRequest, requestor: Organization): Promise<VrsResponse> {
    const bad = (parameter: string, rule: string) =>
      new VerificationError(VerificationErrorCode.INVALID_VRS_REQUEST, `${parameter}: ${rule}`, { parameter, rule });
    if (!/^\d{14}$/.test(req.gtin) || !isValidGtin(req.gtin)) throw bad('gtin', 'must be 14 digits with a valid check digit');
    for (const [ai, parameter, value] of [
      ['10', 'lot', req.lot],
      ['21', 'ser', req.serial],
    ] as const) {
      try {
        validateAiValue(ai, value);
      } catch (e) {
        if (e instanceof Gs1Error) throw bad(parameter, e.rule);
        throw e;
      }
    }
    let expiryDate: string | undefined;
    if (req.exp !== undefined) {
      if (!/^\d{6}$/.test(req.exp)) throw bad('exp', 'must be YYMMDD');
      try {
        expiryDate = gs1DateToIso(req.exp);
      } catch (e) {
        if (e instanceof Gs1Error) throw bad('exp', e.rule);
        throw e;
      }
    }
    if (req.linkType !== undefined && req.linkType !== 'verificationService' && req.linkType !== 'gs1:verificationService') {
      throw bad('linkType', 'must be verificationService');
    }
    if (req.context !== undefined && !CONTEXTS.has(req.context)) throw bad('context', `must be one of ${[...CONTEXTS].join(', ')}`);
    if (req.corrUUID !== undefined && !UUID.test(req.corrUUID)) throw bad('corrUUID', 'must be a UUID');
    if (!req.reqGLN) throw bad('reqGLN', 'the requestor GLN is required');
    // Compared, never looked up: the answer is the same whether or not another organization holds that GLN.
    if (req.reqGLN !== requestor.gln) {
      throw new VerificationError(
        VerificationErrorCode.REQUESTOR_NOT_ALLOWED,
        'reqGLN must be the GLN of the organization whose API key is sent',
      );
    }

    const { view, verdict } = await this.verification.evaluateIdentity(
      { gtin: req.gtin, serial: req.serial, lot: req.lot, expiry: req.exp, expiryDate },
      requestor,
    );
    return {
      verificationTimestamp: new Date().toISOString(),
      responderGLN: view.product?.manufacturerGln ?? null,
      data: vrsAnswerFor(verdict),
      ...(req.corrUUID ? { corrUUID: req.corrUUID } : {}),
    };
  }
}
