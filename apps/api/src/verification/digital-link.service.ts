import { Injectable } from '@nestjs/common';
import { OrganizationDirectory } from '../common/organization.directory';
import { VerificationError, VerificationErrorCode } from './verification.error';
import { VerificationService } from './verification.service';
import { unreadablePage, VERDICT_PAGE_CSP, verdictPage } from './verdict.page';

/** Browsers ask for HTML first; API clients for JSON (or anything). */
const wantsHtml = (accept: string | undefined) => !!accept && /text\/html/.test(accept) && !/^application\/(ld\+)?json/.test(accept);

export interface DigitalLinkAnswer {
  status: number;
  type: string;
  body: string | object;
  /** Set for the HTML page, which carries its own stylesheet. */
  csp?: string;
}

@Injectable()
export class DigitalLinkService {
  constructor(
    private readonly verification: VerificationService,
    private readonly organizations: OrganizationDirectory,
  ) {}

  /** Anonymous: the public answer carries the verdict and product, not who holds the pack. */
  async resolve(uri: string, accept: string | undefined): Promise<DigitalLinkAnswer> {
    if (!wantsHtml(accept)) {
      const { status, saleable, alerts, product, anchored, checkedOnChain, epc } = await this.verification.verify(uri);
      return { status: 200, type: 'json', body: { epc, status, saleable, alerts, product, anchored, checkedOnChain } };
    }
    try {
      const evaluation = await this.verification.evaluate(uri);
      const gln = evaluation.view.product?.manufacturerGln;
      // The maker is printed on the box: naming it is no disclosure, and a patient recognises it.
      const maker = gln ? ((await this.organizations.byGln(gln))?.name ?? null) : null;
      return { status: 200, type: 'html', body: verdictPage(this.verification.toGraphql(evaluation), maker), csp: VERDICT_PAGE_CSP };
    } catch (e) {
      if (!(e instanceof VerificationError && e.code === VerificationErrorCode.INVALID_CODE)) throw e;
      return { status: 400, type: 'html', body: unreadablePage(), csp: VERDICT_PAGE_CSP };
    }
  }
}
