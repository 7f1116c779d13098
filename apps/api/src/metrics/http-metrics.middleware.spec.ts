import { routeOf } from './http-metrics.middleware';

describe('routeOf', () => {
  it('labels a request with the route pattern that matched, not its URL', () => {
    expect(routeOf({ route: { path: '/epcis/events/:eventID' }, originalUrl: '/epcis/events/ni%3A%2F%2F?x=1' })).toBe(
      '/epcis/events/:eventID',
    );
  });

  it("labels Apollo's mounted endpoint by its path, with or without a query string", () => {
    expect(routeOf({ route: { path: '{/*splat}' }, originalUrl: '/graphql' })).toBe('/graphql');
    expect(routeOf({ route: undefined, originalUrl: '/graphql?op=x' })).toBe('/graphql');
  });

  it('labels everything else unmatched, so scanning random URLs adds no series', () => {
    expect(routeOf({ route: { path: '{/*splat}' }, originalUrl: '/wp-admin/install.php' })).toBe('unmatched');
    expect(routeOf({ route: undefined, originalUrl: '/graphql/extra' })).toBe('unmatched');
  });
});
