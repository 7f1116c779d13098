import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { afterPoll, InputViolation, inputViolationSteps, Resumable, runSliced } from '@pharmatrace/epcis';
import { RequestLimitError, RequestLimitErrorCode } from './request-limit.error';

/**
 * Holds every argument of every GraphQL resolver and REST handler (documents, filters, names, query parameters)
 * to the input limits of libs/epcis input-limits.ts before a handler sees it: a NUL, an over-long string or
 * hostile nesting is a 400 naming the field here, rather than a database error or a stack overflow later.
 */
@Injectable()
export class InputLimitsPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    // Custom parameters (the caller's organization, the request) come from the server, not the client.
    if (metadata.type === 'custom') return value;
    const steps = inputViolationSteps(value);
    // Small inputs (a scan, a filter, VRS parameters) are checked within the first step, without waiting a turn.
    const first = steps.next();
    if (first.done) return this.admit(value, metadata, first.value);
    return this.rest(steps).then((violation) => this.admit(value, metadata, violation));
  }

  /**
   * A large input (thousands of values: a document) is walked in slices, after the event loop has polled once: its JSON
   * parse has just held the loop, and the walk must not add to that stall (issue 13).
   */
  private async rest(steps: Resumable<InputViolation | null>): Promise<InputViolation | null> {
    await afterPoll();
    return runSliced(steps);
  }

  private admit(value: unknown, metadata: ArgumentMetadata, violation: InputViolation | null): unknown {
    if (!violation) return value;
    // A named argument (`document`, `input`) heads the path; a whole query or body is named by the pointer alone.
    const field = metadata.data ? `${metadata.data}${violation.pointer}` : violation.pointer.slice(1) || metadata.type;
    throw new RequestLimitError(RequestLimitErrorCode.INVALID_INPUT, `${field}: ${violation.message}`, { field, rule: violation.rule });
  }
}
