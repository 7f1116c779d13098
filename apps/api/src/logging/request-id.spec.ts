import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIdOf } from './request-id';

function ask(header?: string | string[]) {
  const headers: Record<string, unknown> = {};
  const req = { headers: header === undefined ? {} : { 'x-request-id': header } } as unknown as IncomingMessage;
  const res = { setHeader: (name: string, value: unknown) => (headers[name] = value) } as unknown as ServerResponse;
  return { id: requestIdOf(req, res), echoed: headers['X-Request-Id'] };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdOf', () => {
  it("keeps the caller's sane request id and echoes it", () => {
    expect(ask('trace-42.a:b_C')).toEqual({ id: 'trace-42.a:b_C', echoed: 'trace-42.a:b_C' });
  });

  it('generates one when none, or an unsafe one, is sent', () => {
    for (const header of [undefined, '', 'a b', 'line\nbreak', 'x'.repeat(129), ['one', 'two'], '{"json":1}']) {
      const { id, echoed } = ask(header);
      expect(id).toMatch(UUID);
      expect(echoed).toBe(id);
    }
    expect(ask().id).not.toBe(ask().id);
  });
});
