import type { OrganizationRole } from './authority';

/**
 * An organization as the rules and the API see it: who calls, who holds a pack, who captured an event. The API's
 * principal is this, not a database row; persistence maps the `organization` table onto it.
 */
export interface Organization {
  id: string;
  name: string;
  role: OrganizationRole;
  /** GLN of the organization's main location (13 digits). */
  gln: string;
  /** GS1 company prefixes it owns: a manufacturer's GTINs start with one of them. */
  companyPrefixes: string[];
  /** EIP-55 address whose EIP-712 signatures its captures may carry. */
  ethAddress: string | null;
  requireSignedCaptures: boolean;
  createdAt: Date;
}
