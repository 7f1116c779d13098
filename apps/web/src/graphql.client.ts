export enum ApiErrorCode {
  /** The server could not be reached or did not answer with GraphQL. */
  NETWORK = 'NETWORK',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  INVALID_CODE = 'INVALID_CODE',
  /** Any other error code the server sends; `serverCode` keeps it. */
  OTHER = 'OTHER',
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly serverCode?: string,
    /** The server's `extensions.details`: for INVALID_CODE, the AI and rule the scan broke. */
    readonly details: { ai?: string; field?: string; rule?: string } = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface GraphqlResponse<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string; details?: { ai?: string; field?: string; rule?: string } } }[];
}

const KNOWN = new Set<string>([ApiErrorCode.UNAUTHENTICATED, ApiErrorCode.FORBIDDEN, ApiErrorCode.INVALID_CODE]);

/** POSTs to this origin's /graphql with the pharmacy's API key; GraphQL errors become ApiError. */
export async function graphql<T>(query: string, variables: Record<string, unknown>, apiKey: string): Promise<T> {
  let body: GraphqlResponse<T>;
  try {
    const res = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ query, variables }),
    });
    body = (await res.json()) as GraphqlResponse<T>;
  } catch (e) {
    throw new ApiError(ApiErrorCode.NETWORK, `the server did not answer: ${e instanceof Error ? e.message : String(e)}`);
  }
  const [error] = body.errors ?? [];
  if (error) {
    const serverCode = error.extensions?.code;
    const code = serverCode && KNOWN.has(serverCode) ? (serverCode as ApiErrorCode) : ApiErrorCode.OTHER;
    throw new ApiError(code, error.message, serverCode, error.extensions?.details ?? {});
  }
  if (!body.data) throw new ApiError(ApiErrorCode.NETWORK, 'the server answered without data');
  return body.data;
}
