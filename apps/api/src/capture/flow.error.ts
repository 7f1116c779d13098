import { AppError } from '../common/app.error';

export enum FlowErrorCode {
  /** A typed flow mutation's input is malformed or cannot be turned into EPCs; `details` names the field and rule. */
  INVALID_FLOW_INPUT = 'INVALID_FLOW_INPUT',
}

export class FlowError extends AppError<FlowErrorCode> {
  constructor(
    readonly field: string,
    readonly rule: string,
    message: string,
  ) {
    super(FlowErrorCode.INVALID_FLOW_INPUT, `${field}: ${message} [${rule}]`, { field, rule });
  }
}
