import { compileSchedule, type CompiledSchedule, parseZonedDateTime, QueryScheduleError, SCHEDULE_FIELDS } from '@pharmatrace/epcis';
import { SubscriptionError, SubscriptionErrorCode } from './subscription.error';

/** How a subscription is triggered and from when, as a webhook body or WebSocket query parameters give it. */
export interface SubscriptionControls {
  stream: boolean;
  schedule: Record<string, string> | null;
  compiled: CompiledSchedule | null;
  reportIfEmpty: boolean;
  initialRecordTime: Date | null;
}

export const invalidSubscription = (field: string, rule: string, message: string) =>
  new SubscriptionError(SubscriptionErrorCode.INVALID_SUBSCRIPTION, `${field}: ${message}`, { field, rule });

/**
 * The binding's rule: `stream: true` or a schedule, never both nor neither (a client must not subscribe to a stream
 * by accident); reportIfEmpty belongs to a schedule; initialRecordTime is an ISO 8601 date-time with a zone.
 * `at` names fields as the request carries them (`/schedule/minute` in a body, `minute` in a WebSocket URL).
 */
export function readControls(
  raw: { stream?: unknown; schedule?: unknown; reportIfEmpty?: unknown; initialRecordTime?: unknown },
  at: (field: string) => string,
): SubscriptionControls {
  const { stream, schedule, reportIfEmpty, initialRecordTime } = raw;
  if (stream !== undefined && stream !== true)
    throw invalidSubscription(at('stream'), 'enum', 'may only be true (or be left out for a schedule)');
  if (stream === true && schedule !== undefined)
    throw invalidSubscription(at('stream'), 'exclusive', 'stream and a schedule exclude each other');
  if (stream === undefined && schedule === undefined) {
    throw invalidSubscription(at('stream'), 'required', `set stream to true or give a schedule (${SCHEDULE_FIELDS.join(', ')})`);
  }
  let compiled: CompiledSchedule | null = null;
  if (schedule !== undefined) {
    try {
      compiled = compileSchedule(schedule);
    } catch (e) {
      if (!(e instanceof QueryScheduleError)) throw e;
      throw invalidSubscription(e.field === 'schedule' ? at('schedule') : at(`schedule/${e.field}`), e.rule, e.message);
    }
  }
  if (reportIfEmpty !== undefined && typeof reportIfEmpty !== 'boolean')
    throw invalidSubscription(at('reportIfEmpty'), 'type:boolean', 'must be true or false');
  if (reportIfEmpty === true && stream === true) {
    throw invalidSubscription(at('reportIfEmpty'), 'schedule-only', 'a stream reports events as they come; reportIfEmpty is for schedules');
  }
  let from: Date | null = null;
  if (initialRecordTime !== undefined) {
    from = typeof initialRecordTime === 'string' ? parseZonedDateTime(initialRecordTime) : null;
    if (!from) throw invalidSubscription(at('initialRecordTime'), 'format:date-time', 'must be an ISO 8601 date-time with a zone');
  }
  return {
    stream: stream === true,
    schedule:
      schedule === undefined
        ? null
        : (Object.fromEntries(Object.entries(schedule as object).map(([k, v]) => [k, String(v)])) as Record<string, string>),
    compiled,
    reportIfEmpty: reportIfEmpty === true,
    initialRecordTime: from,
  };
}
