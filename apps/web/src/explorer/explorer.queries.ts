export interface Organization {
  name: string;
  gln: string;
}

export interface EventProof {
  eventDigest: string;
  merkleProof: string[];
  root: string;
  batchId: number;
  chainId: number;
  contractAddress: string;
  transactionHash: string;
  blockNumber: number;
  status: string;
}

export interface ProvenanceEvent {
  eventHash: string;
  eventType: string;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  eventTime: string;
  via: string;
  anchorStatus: string;
  event: Record<string, unknown>;
  proof: EventProof | null;
}

export interface CustodyInterval {
  holder: Organization | null;
  location: string | null;
  from: string;
  to: string | null;
  inTransit: boolean;
  destinationGln: string | null;
}

export interface AggregationSpan {
  epc: string;
  container: string;
  packedAt: string;
  unpackedAt: string | null;
  packedBy: Organization | null;
  unpackedBy: Organization | null;
}

export interface Provenance {
  epc: string;
  visibility: string;
  events: ProvenanceEvent[];
  custody: CustodyInterval[];
  aggregation: AggregationSpan[];
  flags: { code: string; event: string; at: string; message: string }[];
}

export const PROVENANCE_QUERY = `query ExplorerProvenance($epc: String!) { provenance(epc: $epc) {
  epc visibility
  events { eventHash eventType action bizStep disposition eventTime via anchorStatus event
    proof { eventDigest merkleProof root batchId chainId contractAddress transactionHash blockNumber status } }
  custody { holder { name gln } location from to inTransit destinationGln }
  aggregation { epc container packedAt unpackedAt packedBy { name gln } unpackedBy { name gln } }
  flags { code event at message }
} }`;

/** The trading-partner directory every role may read: the explorer names GLNs and locations from it. */
/** The product's master data (name, strength, form), as captured in EPCIS headers by whoever the key may read. */
export const PRODUCT_QUERY = `query ExplorerProduct($ids: [String!]!) { masterData(type: "EPCClass", ids: $ids) { attributes { id value } } }`;

/** The organizations registered under the GLNs a provenance names (at most 500 a page: one pack names a few dozen). */
export const NAMES_QUERY = `query ExplorerNames($glns: [String!]!) { organizationDirectory(glns: $glns, first: 500) { edges { node { name gln } } } }`;
export const NAMES_PAGE = 500;

/** The server's scan parser (with its scanner corrections) turns a pack scan into the pack's EPC. */
export const SCAN_EPC_QUERY = `query ExplorerScan($code: String!) { verify(code: $code) { epc } }`;

export interface LotPack {
  epc: string;
  serial: string | null;
  status: string;
  container: string | null;
  custodian: Organization | null;
}

export interface Lot {
  gtin: string;
  lot: string;
  status: string;
  recalled: boolean;
  reason: string | null;
  scope: string;
  countsByStatus: { status: string; count: number }[];
  countsByCustodian: { organization: Organization | null; count: number }[];
  packs: { edges: { node: LotPack }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

export const LOT_PACKS_PAGE = 100;

export const LOT_QUERY = `query ExplorerLot($gtin: String!, $lot: String!, $first: Int, $after: String) { lot(gtin: $gtin, lot: $lot) {
  gtin lot status recalled reason scope
  countsByStatus { status count }
  countsByCustodian { organization { name gln } count }
  packs(first: $first, after: $after) { edges { node { epc serial status container custodian { name gln } } } pageInfo { hasNextPage endCursor } }
} }`;

/** The chains whose RPC the page may call, from GET /explorer/config.json. */
export interface ExplorerConfig {
  chains: { name: string; chainId: number | null; rpcUrl: string }[];
}
