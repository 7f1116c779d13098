import { CASE_SUMMARY_FIELDS, CaseSummary } from '../case-words';

export interface CaseParty {
  id: string;
  name: string;
  gln: string;
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
  packs: { epc: string; note: string | null }[];
  history: CaseEntry[];
}

export interface CaseCounts {
  open: number;
  investigating: number;
  escalated: number;
  unresolved: number;
  overdue: number;
  resolved: number;
  resolutions: { resolution: string; count: number }[];
}

export const CASES_PAGE = 50;

const LIST_FIELDS = `${CASE_SUMMARY_FIELDS} openedAt reporter { id name gln } counterparty { id name gln }`;
const DETAIL_FIELDS = `${LIST_FIELDS} source resolvedAt quarantining packs { epc note }
  history { at action fromState toState resolution message attachments actor { id name gln } }`;

export const CASES_QUERY = `query ExplorerCases($filter: CaseFilter, $first: Int, $after: String) {
  cases(filter: $filter, first: $first, after: $after) { edges { node { ${LIST_FIELDS} } } pageInfo { hasNextPage endCursor } }
}`;

/** The case, and who is asking: the page offers the actions the rules allow this caller. */
export const CASE_QUERY = `query ExplorerCase($id: ID!) { me { id role } case(id: $id) { ${DETAIL_FIELDS} } }`;

export const CASE_ACTION = `mutation ExplorerCaseAction($id: ID!, $input: CaseActionInput!) { caseAction(id: $id, input: $input) { ${DETAIL_FIELDS} } }`;

export const CASE_COUNTS_QUERY = `query ExplorerCaseCounts { caseCounts { open investigating escalated unresolved overdue resolved resolutions { resolution count } } }`;

export interface CasesPage {
  cases: { edges: { node: CaseListItem }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}
