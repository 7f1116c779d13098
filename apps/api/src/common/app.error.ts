/** Base of every feature's error: a stable code from the feature's enum, a message a person can act on, details for machines. */
export abstract class AppError<Code extends string = string> extends Error {
  protected constructor(
    readonly code: Code,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
