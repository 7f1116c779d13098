import { Client } from 'pg';

type Send = (this: Client, config: unknown, values?: unknown, callback?: unknown) => unknown;
const send = Client.prototype.query as unknown as Send;

/**
 * pg's Client, but a query sent without a callback (every TypeORM query, every `await client.query(…)`) goes to pg
 * with one, answered through a promise of our own. pg's own promise path gives the Query its callback after building
 * it, and its answers then outlived young collections: on a held connection, a 50-row result promoted 16 KB to the old
 * generation a query that way and 0.6-1.1 KB with a callback; the provenance statement in its read-only transaction
 * 18-28 KB against 1.6-1.8 KB, with scavenges of 30 ms instead of 3 (docs/benchmarks.md, "Answers pg promoted").
 * Promoted garbage is a root of every scavenge until a major collection: the API's young collections took 12-19 ms each,
 * one every 50-90 provenance requests, and were most of its p99. pg-pool builds its connections with this class
 * (`Client` in the pool's options).
 */
export class PgClient extends Client {}

Object.defineProperty(PgClient.prototype, 'query', {
  configurable: true,
  writable: true,
  value: function query(this: Client, config: unknown, values?: unknown, callback?: unknown): unknown {
    // A submittable (a COPY stream, a cursor) or a call with its own callback is pg's as it stands.
    if (
      typeof (config as { submit?: unknown } | null)?.submit === 'function' ||
      typeof values === 'function' ||
      typeof callback === 'function'
    )
      return send.call(this, config, values, callback);
    return new Promise((resolve, reject) => {
      send.call(this, config, values, (error: Error | null, result: unknown) => (error ? reject(error) : resolve(result)));
    }).catch((error: Error) => {
      // As pg does: the stack of the caller's await, not of the socket read that delivered the error.
      Error.captureStackTrace(error);
      throw error;
    });
  },
});
