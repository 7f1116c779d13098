export enum VerifyErrorCode {
  /** The caller's options cannot be used (no RPC URL, a URL that is not http(s), a bad timeout). */
  BAD_OPTIONS = 'BAD_OPTIONS',
  /** The bundle file or the command line cannot be read. */
  BAD_INPUT = 'BAD_INPUT',
  /** No usable answer from a JSON-RPC endpoint: unreachable, timed out, not JSON, or a JSON-RPC error. */
  RPC_FAILED = 'RPC_FAILED',
}

export class VerifyError extends Error {
  constructor(
    readonly code: VerifyErrorCode,
    message: string,
    /** The option, argument or RPC method at fault. */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'VerifyError';
  }
}
