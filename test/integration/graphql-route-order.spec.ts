import type { INestApplication } from '@nestjs/common';
import { gql, startApi, testConfig, useDatabase } from '../support/platform';

/**
 * The API as built: Express tries GraphQL's mount before the controller routes, which cannot take its requests
 * (ExpressServerAdapter.hoistLateMounts). Should Apollo's driver ever mount on a pattern, the move would be skipped
 * silently and every GraphQL request would walk the 160 routes again: this says so.
 */
/** What the spec reads of a layer of Express's router. */
interface Layer {
  route?: { path: string };
  rawPath?: unknown;
}

describe('GraphQL ahead of the controller routes (real app)', () => {
  const dbUrl = useDatabase();
  let app: INestApplication;
  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
  });
  afterAll(() => app?.close());

  it('is tried after the global middleware and before every controller route, and still answers', async () => {
    const stack = (app.getHttpAdapter().getInstance() as unknown as { router: { stack: Layer[] } }).router.stack;
    // The last mount on /graphql is Apollo's handler (earlier ones are the platform's own middleware for that path).
    const graphql = stack.map((l) => !l.route && l.rawPath === '/graphql').lastIndexOf(true);
    const controllerRoutes = stack.flatMap((l, i) => (l.route && l.route.path.startsWith('/') ? [i] : []));
    expect(graphql).toBeGreaterThan(0);
    expect(controllerRoutes.length).toBeGreaterThan(100);
    expect(graphql).toBeLessThan(controllerRoutes[0]);
    expect((await gql(app, '{ __typename }')).data).toEqual({ __typename: 'Query' });
  });
});
