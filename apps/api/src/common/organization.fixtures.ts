import type { Organization } from '@pharmatrace/domain';

/** The trading partners the service specs act as: a manufacturer owning company prefix 0614141, and a pharmacy. */
export const MANUFACTURER = {
  id: 'org-maker',
  name: 'ACME Pharma',
  role: 'MANUFACTURER',
  gln: '0614141000012',
  companyPrefixes: ['0614141'],
} as Organization;

export const PHARMACY = {
  id: 'org-pharmacy',
  name: 'Corner Pharmacy',
  role: 'DISPENSER',
  gln: '0614141000029',
  companyPrefixes: [] as string[],
} as Organization;
