import { CaseCategory } from '../../../../libs/domain/src/browser';
import { CaseListFilter, filterFromParams, filterToParams, graphqlFilter } from './case-filter';

describe('the case list’s filter, kept in the URL', () => {
  it('round-trips through the URL', () => {
    const f: CaseListFilter = {
      state: 'UNRESOLVED',
      category: CaseCategory.DATA_ISSUE,
      overdue: true,
      regulatorOverdue: true,
      epc: 'urn:epc:id:sgtin:1.2.3',
    };
    expect(filterFromParams(filterToParams(f))).toEqual(f);
    expect(filterToParams({ state: '', category: '', overdue: false, regulatorOverdue: false, epc: '' }).toString()).toBe('cases=');
  });

  it('drops values it does not know rather than sending them', () => {
    expect(filterFromParams(new URLSearchParams('cases&state=LOST&category=x&overdue=yes&regulatorOverdue=true&epc=%20'))).toEqual({
      state: '',
      category: '',
      overdue: false,
      regulatorOverdue: false,
      epc: '',
    });
  });

  it('asks for unresolved cases as open, and a state as a one-state list', () => {
    expect(graphqlFilter(filterFromParams(new URLSearchParams('state=UNRESOLVED&overdue=1')))).toEqual({ open: true, overdue: true });
    expect(graphqlFilter(filterFromParams(new URLSearchParams('regulatorOverdue=1')))).toEqual({ regulatorOverdue: true });
    expect(graphqlFilter(filterFromParams(new URLSearchParams('state=ESCALATED&category=SUSPECT_PRODUCT&epc=E')))).toEqual({
      state: ['ESCALATED'],
      category: ['SUSPECT_PRODUCT'],
      epc: 'E',
    });
  });
});
