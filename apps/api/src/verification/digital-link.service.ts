import { Injectable } from '@nestjs/common';
import { VerificationService } from './verification.service';
import { verdictPage } from './verdict.page';

/** Browsers ask for HTML first; API clients for JSON (or anything). */
const wantsHtml = (accept: string | undefined) => !!accept && /text\/html/.test(accept) && !/^application\/(ld\+)?json/.test(accept);

@Injectable()
export class DigitalLinkService {
  constructor(private readonly verification: VerificationService) {}

  /** Anonymous: the public answer carries the verdict and product, not who holds the pack. */
  async resolve(uri: string, accept: string | undefined): Promise<{ type: string; body: string | object }> {
    const { status, saleable, alerts, product, anchored, checkedOnChain, epc } = await this.verification.verify(uri);
    const verdict = { epc, status, saleable, alerts, product, anchored, checkedOnChain };
    return wantsHtml(accept) ? { type: 'html', body: verdictPage(verdict) } : { type: 'json', body: verdict };
  }
}
