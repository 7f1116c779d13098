import { digestToHash } from '@pharmatrace/epcis';
import type { EventCriteria, EventQueryRepository, QueriedEvent, ReadGrantRepository } from '@pharmatrace/persistence';
import fc from 'fast-check';
import { FakeReadGrantRepository } from '../grants/read-grant.fake';
import { organization } from '../organizations/organization.fake';
import { ReadGrantDirectory } from '../policy/read-grant.directory';
import { ReadPolicyService } from '../policy/read-policy.service';
import { storedEvent } from '../provenance/pack-history.fake';
import type { QueryParams } from './event-filter.parser';
import { EventQueryErrorCode } from './event-query.error';
import { EventQueryService, withCursor } from './event-query.service';
import { shareOneHiddenClass } from '../../../../test/support/hidden-class';
import { fakeMasterData } from '../master-data/master-data.fake';

const PACK = 'https://id.gs1.org/01/00614141123452/21/1';
const maker = organization({ name: 'Maker', role: 'MANUFACTURER', gln: '0614141000012' });
const wholesaler = organization({ name: 'Wholesaler', role: 'DISTRIBUTOR', gln: '0614141000029' });
const pharmacy = organization({ name: 'Pharmacy', role: 'DISPENSER', gln: '0614141000036' });
const regulator = organization({ name: 'Regulator', role: 'REGULATOR', gln: '0614141000043' });

type Stored = QueriedEvent & { capturedBy: string; eventType: string };

/** A LIKE pattern as Postgres reads it: % any run, _ one character, backslash escapes. */
const likeToRegExp = (pattern: string) =>
  new RegExp(
    `^${pattern.replace(/\\(.)|([%_])|([^%_\\]+)/g, (_, escaped, wild, text) => (escaped ? escaped.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : wild === '%' ? '.*' : wild === '_' ? '.' : text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))}$`,
  );

/**
 * EventQueryRepository in memory: (event_time, id) keyset pages, event types, ids by hash or declared eventID, and the
 * read policy's party rule (capturer, or a GLN pattern matching read point, location, source or destination).
 * `ownGtins` and grants are left to the SQL's integration tests; these events name no pack of a reader's GTIN.
 */
class FakeEventQueries {
  readonly rows: Stored[] = [];

  add(capturedBy: string, body: Record<string, unknown>): Stored {
    const e = storedEvent(capturedBy, { type: 'ObjectEvent', action: 'OBSERVE', epcList: [PACK], ...body });
    const row = {
      id: e.id,
      eventTime: e.eventTime,
      recordTime: e.recordTime,
      hash: e.hash,
      body: e.body,
      ignoreFields: [],
      corrections: [],
      capturedBy,
      eventType: e.eventType,
    };
    this.rows.push(row);
    return row;
  }

  private visible(e: Stored, v: NonNullable<EventCriteria['visibleTo']>): boolean {
    if (e.capturedBy === v.organizationId) return true;
    const b = e.body as Record<string, any>;
    const uris = [
      b.readPoint?.id,
      b.bizLocation?.id,
      ...(b.sourceList ?? []).map((s: any) => s.source),
      ...(b.destinationList ?? []).map((d: any) => d.destination),
    ];
    return v.glnPatterns.some((p) => uris.some((u) => typeof u === 'string' && likeToRegExp(p).test(u)));
  }

  /** Who each page was read as (replica routing reads an organization's own writes where they are). */
  readonly readings: (string | null)[] = [];

  async page(reading: string | null, c: EventCriteria, limit: number, afterId?: number) {
    this.readings.push(reading);
    const after = afterId === undefined ? undefined : this.rows.find((r) => r.id === afterId)!;
    const rows = this.rows
      .filter((e) => !c.eventTypes || c.eventTypes.includes(e.eventType))
      .filter(
        (e) => !c.eventIds || c.eventIds.hashes.some((h) => h.equals(e.hash)) || c.eventIds.declared.includes(e.body.eventID as string),
      )
      .filter((e) => !c.visibleTo || this.visible(e, c.visibleTo))
      .sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime() || a.id - b.id)
      .filter((e) => !after || e.eventTime > after.eventTime || (e.eventTime.getTime() === after.eventTime.getTime() && e.id > after.id));
    return { events: rows.slice(0, limit).map(({ capturedBy: _c, eventType: _t, ...e }) => e), hasMore: rows.length > limit };
  }

  async findOne(reading: string | null, hash: Buffer | null, declaredId: string, visibleTo: EventCriteria['visibleTo']) {
    return (await this.page(reading, { eventIds: { hashes: hash ? [hash] : [], declared: [declaredId] }, visibleTo }, 1)).events[0] ?? null;
  }
}

const at = (minute: number) => new Date(Date.UTC(2025, 0, 1, 0, minute)).toISOString();

/** The clock page tokens are issued and read by. */
let NOW_FOR_TOKENS = new Date('2026-06-01T00:00:00Z');

function setup() {
  const repository = new FakeEventQueries();
  const grants = new FakeReadGrantRepository();
  const policy = new ReadPolicyService(
    new ReadGrantDirectory(grants as unknown as ReadGrantRepository, () => new Date()),
    () => new Date(),
  );
  const captured = repository.add(maker.id, {
    eventTime: at(0),
    bizStep: 'commissioning',
    eventID: 'urn:uuid:6f3a0f2e-0000-4000-8000-000000000001',
  });
  const shipped = repository.add(maker.id, {
    eventTime: at(1),
    destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:pgln:0614141.00002' }],
  });
  const atWholesaler = repository.add(pharmacy.id, { eventTime: at(2), readPoint: { id: 'urn:epc:id:sgln:0614141.00002.7' } });
  const linked = repository.add(pharmacy.id, { eventTime: at(3), bizLocation: { id: 'https://example.com/414/0614141000029?x=1' } });
  const elsewhere = repository.add(pharmacy.id, { eventTime: at(4), readPoint: { id: 'urn:epc:id:sgln:0614141.00003.0' } });
  return {
    repository,
    service: new EventQueryService(repository as unknown as EventQueryRepository, policy, fakeMasterData().service, () => NOW_FOR_TOKENS),
    events: { captured, shipped, atWholesaler, linked, elsewhere },
  };
}

const idsOf = (page: { events: { id: number }[] }) => page.events.map((e) => e.id);

describe('EventQueryService', () => {
  it('lists every event to a regulator, in event-time order', async () => {
    const { service, events } = setup();
    expect(idsOf(await service.query({}, regulator))).toEqual(Object.values(events).map((e) => e.id));
  });

  it('lists a party the events it captured or whose location, source or destination names its GLN, in any spelling', async () => {
    const { service, events } = setup();
    expect(idsOf(await service.query({}, wholesaler))).toEqual([events.shipped.id, events.atWholesaler.id, events.linked.id]);
    expect(idsOf(await service.query({}, maker))).toEqual([events.captured.id, events.shipped.id]);
  });

  it('reads as the organization querying, where its own writes are (replicas)', async () => {
    const { service, repository, events } = setup();
    await service.query({}, wholesaler);
    await service.findOne(digestToHash(events.shipped.hash), maker);
    expect(repository.readings).toEqual([wholesaler.id, maker.id]);
  });

  it('applies the filters on top of what the caller may read', async () => {
    const { repository, service } = setup();
    const aggregation = repository.add(wholesaler.id, {
      type: 'AggregationEvent',
      eventTime: at(5),
      parentID: 'urn:epc:id:sscc:0614141.1000000001',
      childEPCs: [PACK],
    });
    repository.add(maker.id, {
      type: 'AggregationEvent',
      eventTime: at(6),
      parentID: 'urn:epc:id:sscc:0614141.1000000002',
      childEPCs: [PACK],
    });
    expect(idsOf(await service.query({ eventType: ['AggregationEvent'] }, wholesaler))).toEqual([aggregation.id]);
  });

  it('pages every readable event once with its tokens, whatever the page size (property)', async () => {
    const { repository, service } = setup();
    for (let i = 0; i < 12; i++) repository.add(wholesaler.id, { eventTime: at(10 + (i % 4)) });
    const all = idsOf(await service.query({ perPage: ['1000'] }, wholesaler));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 16 }), async (perPage) => {
        const seen: number[] = [];
        let token: string | null = null;
        for (let guard = 0; guard < 40; guard++) {
          const page = await service.query({ perPage: [String(perPage)], ...(token ? { nextPageToken: [token] } : {}) }, wholesaler);
          expect(page.events.length).toBeLessThanOrEqual(perPage);
          if (page.nextPageToken) expect(page.events.at(-1)!.cursor).toBe(page.nextPageToken);
          seen.push(...idsOf(page));
          if (!page.nextPageToken) break;
          token = page.nextPageToken;
        }
        expect(seen).toEqual(all);
      }),
    );
  });

  it('ties a page token to its query and reads it for a day: GS1-Next-Page-Token-Expires', async () => {
    const { repository, service } = setup();
    for (let i = 0; i < 4; i++) repository.add(wholesaler.id, { eventTime: at(10 + i) });
    const first = await service.query({ perPage: ['1'], eventType: ['ObjectEvent'] }, wholesaler);
    expect(first.tokensExpire.getTime()).toBe(NOW_FOR_TOKENS.getTime() + 24 * 3600 * 1000);
    const token = first.nextPageToken!;
    // The same query, a page size of its own, values in another order: the same query.
    await expect(service.query({ eventType: ['ObjectEvent'], perPage: ['2'], nextPageToken: [token] }, wholesaler)).resolves.toBeDefined();
    await expect(service.query({ perPage: ['1'], nextPageToken: [token] }, wholesaler)).rejects.toMatchObject({
      details: { parameter: 'nextPageToken', rule: 'page-token-query' },
    });
    const issued = NOW_FOR_TOKENS;
    NOW_FOR_TOKENS = new Date(issued.getTime() + 24 * 3600 * 1000);
    try {
      await expect(service.query({ perPage: ['1'], eventType: ['ObjectEvent'], nextPageToken: [token] }, wholesaler)).rejects.toMatchObject(
        {
          details: { parameter: 'nextPageToken', rule: 'page-token-expired' },
        },
      );
    } finally {
      NOW_FOR_TOKENS = issued;
    }
  });

  it('refuses what it cannot read as INVALID_QUERY_PARAMETER, before querying', async () => {
    const { service } = setup();
    const refused: QueryParams[] = [
      { perPage: ['0'] },
      { perPage: ['1001'] },
      { nextPageToken: ['forged'] },
      { colour: ['red'] },
      { eventType: ['Thing'] },
    ];
    for (const params of refused) {
      await expect(service.query(params, regulator)).rejects.toMatchObject({ code: EventQueryErrorCode.INVALID_QUERY_PARAMETER });
    }
  });

  describe('findOne', () => {
    it('finds an event by its CBV 2.0 hash and by the eventID it was captured with', async () => {
      const { service, events } = setup();
      await expect(service.findOne(digestToHash(events.shipped.hash), maker)).resolves.toMatchObject({ id: events.shipped.id });
      await expect(service.findOne('urn:uuid:6f3a0f2e-0000-4000-8000-000000000001', maker)).resolves.toMatchObject({
        id: events.captured.id,
      });
    });

    it('answers an event the caller may not read exactly as an absent one', async () => {
      const { service, events } = setup();
      const hidden = await service.findOne(digestToHash(events.captured.hash), pharmacy).catch((e) => e);
      const absent = await service.findOne(digestToHash(Buffer.alloc(32, 7)), pharmacy).catch((e) => e);
      expect(hidden.code).toBe(EventQueryErrorCode.EVENT_NOT_FOUND);
      expect(absent.code).toBe(EventQueryErrorCode.EVENT_NOT_FOUND);
      expect(hidden.message.replace(digestToHash(events.captured.hash), 'X')).toBe(
        absent.message.replace(digestToHash(Buffer.alloc(32, 7)), 'X'),
      );
      await expect(service.findOne(digestToHash(events.captured.hash), regulator)).resolves.toMatchObject({ id: events.captured.id });
    });

    it('looks up a malformed hash as a declared eventID rather than failing', async () => {
      const { repository, service } = setup();
      const odd = repository.add(maker.id, { eventTime: at(30), eventID: 'ni:///sha-256;not-hex' });
      await expect(service.findOne('ni:///sha-256;not-hex', maker)).resolves.toMatchObject({ id: odd.id });
    });
  });

  it('gives the events of a page, with their cursors, one hidden class', () => {
    const events: QueriedEvent[] = [0, 1, 2].map((i) => ({
      id: i,
      eventTime: new Date(i),
      hash: Buffer.alloc(32, i),
      recordTime: new Date(i + 1),
      body: i % 2 ? { type: 'ObjectEvent', action: 'OBSERVE' } : { type: 'AggregationEvent', childEPCs: [PACK] },
      ignoreFields: [],
      corrections: [],
    }));
    // With `{ ...e, cursor }` each had a map of its own once the builder was optimized: 100 a page in the old generation.
    expect(shareOneHiddenClass((i) => withCursor(events[i % 3], `cursor-${i}`))).toBe(true);
  });
});
