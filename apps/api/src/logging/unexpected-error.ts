/**
 * The log line of an unexpected error (a bug): the id of the request it broke as `req.id`, the field the request's own
 * line carries, and its stack. Lines are not bound to their request otherwise (LoggingModule), so this one names it.
 */
export function unexpectedErrorLine(exception: unknown, requestId: string | undefined): { req: { id: string | null }; msg: string } {
  return {
    req: { id: requestId ?? null },
    msg: `request ${requestId ?? '(none)'}: ${exception instanceof Error ? exception.stack : String(exception)}`,
  };
}
