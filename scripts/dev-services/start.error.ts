export enum StartErrorCode {
  POSTGRES_UNAVAILABLE = 'POSTGRES_UNAVAILABLE',
  REDIS_NOT_FOUND = 'REDIS_NOT_FOUND',
  REDIS_UNAVAILABLE = 'REDIS_UNAVAILABLE',
  CHAIN_UNAVAILABLE = 'CHAIN_UNAVAILABLE',
  DATA_DIR_UNUSABLE = 'DATA_DIR_UNUSABLE',
  APP_EXITED = 'APP_EXITED',
  APP_NOT_READY = 'APP_NOT_READY',
}

/** A start-up failure the operator can act on; `service` names what failed, `setting` the variable that would fix it. */
export class StartError extends Error {
  constructor(
    readonly code: StartErrorCode,
    message: string,
    readonly service: string,
    readonly setting?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StartError';
  }
}
