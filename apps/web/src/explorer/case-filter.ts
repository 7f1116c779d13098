import { CaseCategory, CaseState } from '../../../../libs/domain/src/browser';

/**
 * The list's filter as the URL keeps it (`/explorer?cases&state=…&category=…&overdue=1&regulatorOverdue=1&epc=…`), so a
 * view can be linked.
 */
export interface CaseListFilter {
  /** A state, or UNRESOLVED for every state but resolved. */
  state: CaseState | 'UNRESOLVED' | '';
  category: CaseCategory | '';
  overdue: boolean;
  /** Resolved as illegitimate and the regulator not told within its 24 hours. */
  regulatorOverdue: boolean;
  epc: string;
}

const STATES = new Set<string>([...Object.values(CaseState), 'UNRESOLVED']);
const CATEGORIES = new Set<string>(Object.values(CaseCategory));

/** Unknown values are dropped rather than sent: a stale link shows every case rather than an error. */
export function filterFromParams(params: URLSearchParams): CaseListFilter {
  const state = params.get('state') ?? '';
  const category = params.get('category') ?? '';
  return {
    state: STATES.has(state) ? (state as CaseListFilter['state']) : '',
    category: CATEGORIES.has(category) ? (category as CaseCategory) : '',
    overdue: params.get('overdue') === '1',
    regulatorOverdue: params.get('regulatorOverdue') === '1',
    epc: (params.get('epc') ?? '').trim(),
  };
}

export function filterToParams(f: CaseListFilter): URLSearchParams {
  const params = new URLSearchParams({ cases: '' });
  if (f.state) params.set('state', f.state);
  if (f.category) params.set('category', f.category);
  if (f.overdue) params.set('overdue', '1');
  if (f.regulatorOverdue) params.set('regulatorOverdue', '1');
  if (f.epc) params.set('epc', f.epc);
  return params;
}

/** The `cases` query's CaseFilter. */
export function graphqlFilter(f: CaseListFilter): Record<string, unknown> {
  return {
    ...(f.state === 'UNRESOLVED' ? { open: true } : f.state ? { state: [f.state] } : {}),
    ...(f.category ? { category: [f.category] } : {}),
    ...(f.overdue ? { overdue: true } : {}),
    ...(f.regulatorOverdue ? { regulatorOverdue: true } : {}),
    ...(f.epc ? { epc: f.epc } : {}),
  };
}
