/** Every way a Merkle operation can be refused; callers branch on `code`, people read `rule`. */
export enum MerkleErrorCode {
  EMPTY_TREE = 'EMPTY_TREE',
  BAD_LEAF_LENGTH = 'BAD_LEAF_LENGTH',
  BAD_HASH_LENGTH = 'BAD_HASH_LENGTH',
  BAD_NODES_LENGTH = 'BAD_NODES_LENGTH',
  INDEX_OUT_OF_RANGE = 'INDEX_OUT_OF_RANGE',
  BAD_HEX = 'BAD_HEX',
}

export class MerkleError extends Error {
  readonly code: MerkleErrorCode;
  /** The argument at fault, e.g. `digests`, `treeIndex`, `proof[3]`. */
  readonly field: string;
  /** Exactly what was required and not met, e.g. "length must be a multiple of 32". */
  readonly rule: string;

  constructor(code: MerkleErrorCode, field: string, rule: string) {
    super(`${field}: ${rule}`);
    this.name = 'MerkleError';
    this.code = code;
    this.field = field;
    this.rule = rule;
  }
}
