import { CASE_SUMMARY_FIELDS, CaseSummary } from '../case-words';

export interface CaseParty {
  id: string;
  name: string;
  gln: string;
}

export interface CaseOwner {
  name: string;
  title: string | null;
  email: string | null;
  phone: string | null;
}

export interface CaseEntry {
  at: string;
  action: string | null;
  fromState: string | null;
  toState: string;
  resolution: string | null;
  message: string | null;
  attachments: string[];
  actor: CaseParty | null;
  owner: CaseOwner | null;
  ownerSide: 'REPORTER' | 'COUNTERPARTY' | null;
}

export interface CaseListItem extends CaseSummary {
  openedAt: string;
  reporter: CaseParty | null;
  counterparty: CaseParty | null;
}

export interface CaseDetail extends CaseListItem {
  source: string;
  resolvedAt: string | null;
  quarantining: boolean;
  /** The caller's part in the case, as the server's rule (libs/domain caseRole) decided it. */
  viewerRole: 'REPORTER' | 'COUNTERPARTY' | 'REGULATOR' | 'PRODUCT_OWNER';
  reporterOwner: CaseOwner | null;
  counterpartyOwner: CaseOwner | null;
  packs: { epc: string; note: string | null }[];
  quantities: { epcClass: string; uom: string | null; shipped: number; received: number }[];
  history: CaseEntry[];
}

export interface CaseCounts {
  open: number;
  investigating: number;
  escalated: number;
  unresolved: number;
  overdue: number;
  regulatorOverdue: number;
  resolved: number;
  resolutions: { resolution: string; count: number }[];
}

export const CASES_PAGE = 50;

const LIST_FIELDS = `${CASE_SUMMARY_FIELDS} openedAt reporter { id name gln } counterparty { id name gln }`;
const OWNER_FIELDS = 'name title email phone';
const DETAIL_FIELDS = `${LIST_FIELDS} source resolvedAt quarantining viewerRole reporterOwner { ${OWNER_FIELDS} }
  counterpartyOwner { ${OWNER_FIELDS} } packs { epc note } quantities { epcClass uom shipped received }
  history { at action fromState toState resolution message attachments actor { id name gln } owner { ${OWNER_FIELDS} } ownerSide }`;

export const CASES_QUERY = `query ExplorerCases($filter: CaseFilter, $first: Int, $after: String) {
  cases(filter: $filter, first: $first, after: $after) { edges { node { ${LIST_FIELDS} } } pageInfo { hasNextPage endCursor } }
}`;

/** The case, with the caller's part in it: the page offers the actions the rules allow this caller. */
export const CASE_QUERY = `query ExplorerCase($id: ID!) { case(id: $id) { ${DETAIL_FIELDS} } }`;

export const CASE_ACTION = `mutation ExplorerCaseAction($id: ID!, $input: CaseActionInput!) { caseAction(id: $id, input: $input) { ${DETAIL_FIELDS} } }`;

export const CASE_COUNTS_QUERY = `query ExplorerCaseCounts { caseCounts { open investigating escalated unresolved overdue regulatorOverdue resolved resolutions { resolution count } } }`;

export interface CasesPage {
  cases: { edges: { node: CaseListItem }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}
