import { ArgumentsHost, Logger } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { ErrorFilter } from './error.filter';
import { RequestLimitError, RequestLimitErrorCode } from './request-limit.error';

/** A REST host whose response records what the filter answers. */
function httpHost(requestId?: string) {
  const sent: { status?: number; body?: any } = {};
  const res = {
    status(code: number) {
      sent.status = code;
      return res;
    },
    json(body: unknown) {
      sent.body = body;
    },
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getRequest: () => ({ id: requestId }), getResponse: () => res }),
  } as unknown as ArgumentsHost;
  return { host, sent };
}

const graphqlHost = (requestId: string) =>
  ({
    getType: () => 'graphql',
    getArgByIndex: (i: number) => (i === 2 ? { req: { id: requestId } } : undefined),
  }) as unknown as ArgumentsHost;

describe('ErrorFilter', () => {
  const filter = new ErrorFilter();
  let logged: unknown[];

  beforeEach(() => {
    logged = [];
    jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => {
      logged.push(message);
    });
  });
  afterEach(() => jest.restoreAllMocks());

  it('answers an unexpected error 500 with the request id the log carries, and no internals', () => {
    const { host, sent } = httpHost('req-42');
    filter.catch(new Error('relation "secret_table" does not exist'), host);
    expect(sent.status).toBe(500);
    expect(sent.body).toEqual({
      type: 'urn:pharmatrace:error:INTERNAL_SERVER_ERROR',
      title: 'INTERNAL_SERVER_ERROR',
      status: 500,
      detail: 'internal error; it has been logged under request id req-42',
      requestId: 'req-42',
    });
    expect(JSON.stringify(sent.body)).not.toContain('secret_table');
    // The request's id as a field, as the request's own log line has it: log tooling joins the two on `req.id`.
    expect(logged).toEqual([
      { req: { id: 'req-42' }, msg: expect.stringMatching(/^request req-42: Error: relation "secret_table" does not exist\n\s+at /) },
    ]);
  });

  it('gives GraphQL callers the same code and request id', () => {
    const error = filter.catch(new TypeError('x is undefined'), graphqlHost('req-43')) as GraphQLError;
    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', details: { requestId: 'req-43' } });
    expect(error.message).not.toContain('undefined');
  });

  it("answers the JSON body parser's refusal of a large body 413 PAYLOAD_TOO_LARGE, not 500", () => {
    const tooLarge = Object.assign(new Error('request entity too large'), {
      type: 'entity.too.large',
      status: 413,
      expose: true,
      limit: 100,
    });
    const { host, sent } = httpHost('req-44');
    filter.catch(tooLarge, host);
    expect(sent.status).toBe(413);
    expect(sent.body).toMatchObject({ title: 'PAYLOAD_TOO_LARGE', status: 413, rule: 'body-size', limit: 100 });
    expect(logged).toEqual([]);
  });

  it.each([
    ['charset.unsupported', 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['request.aborted', 400, 'MALFORMED_BODY'],
  ])("answers the body parser's %s as %i %s, not 500", (type, status, code) => {
    const refusal = Object.assign(new Error(`body parser: ${type}`), { type, status, expose: true });
    const { host, sent } = httpHost('req-45');
    filter.catch(refusal, host);
    expect(sent.status).toBe(status);
    expect(sent.body).toMatchObject({ title: code, status, rule: type });
    expect(logged).toEqual([]);
  });

  it('maps a typed error through the one status table', () => {
    const { host, sent } = httpHost();
    filter.catch(
      new RequestLimitError(RequestLimitErrorCode.INVALID_INPUT, 'lot: contains a NUL character (U+0000)', {
        field: 'lot',
        rule: 'no-nul',
      }),
      host,
    );
    expect(sent.status).toBe(400);
    expect(sent.body).toMatchObject({ title: 'INVALID_INPUT', field: 'lot', rule: 'no-nul' });
  });
});
