import { servedEvents, type StoredEvent } from './served-event.writer';

/**
 * Stored events as one EPCISQueryDocument, with one @context for all of them (served-event.writer.ts says why): the
 * answer of a query, a named query's page, and each webhook or WebSocket delivery of a subscription.
 */
export function servedQueryDocument(stored: readonly StoredEvent[], queryName: string, creationDate = new Date()) {
  const { context, events } = servedEvents(stored);
  return {
    '@context': context,
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: creationDate.toISOString(),
    epcisBody: { queryResults: { queryName, resultsBody: { eventList: events } } },
  };
}
