import { INestApplication } from '@nestjs/common';
import { epcisDocument, eventHashes, eventIdMismatches, shippingEvent } from '@pharmatrace/epcis';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { standardsDir } from '@pharmatrace/gs1';
import { Client } from 'pg';
import request from 'supertest';
import { CaptureJobRepository } from '@pharmatrace/persistence';
import { CAPTURE_EVENT_LIMIT, CAPTURE_FILE_SIZE_LIMIT } from '../../apps/api/src/epcis-rest/epcis-binding';
import { CAPTURE_JOB_ABANDONED_AFTER_MS, CaptureJobService } from '../../apps/api/src/epcis-rest/capture-job.service';
import { createOrganization, startApi, testConfig, useDatabase, withCheckDigit, oneEvent } from '../support/platform';

const STANDARDS = path.join(standardsDir(), 'epcis-2.0');
const EXAMPLES = path.join(STANDARDS, 'examples');
const INVALID = path.join(STANDARDS, 'invalid');
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

/** The query-document example holds the same events as a capture document would. */
function asCaptureDocument(doc: Record<string, any>): Record<string, any> {
  if (doc.type !== 'EPCISQueryDocument') return doc;
  const { epcisBody, ...rest } = doc;
  return { ...rest, type: 'EPCISDocument', epcisBody: { eventList: epcisBody.queryResults.resultsBody.eventList } };
}

const queryDocumentOf = (events: unknown[]) => ({
  '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld'],
  type: 'EPCISQueryDocument',
  schemaVersion: '2.0',
  creationDate: '2026-01-01T00:00:00Z',
  epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList: events } } },
});

function expectEpcisHeaders(res: request.Response) {
  expect(res.headers['gs1-epcis-version']).toBe('2.0.0');
  expect(res.headers['gs1-cbv-version']).toBe('2.0.0');
  expect(res.headers['gs1-epcis-capture-limit']).toBe(String(CAPTURE_EVENT_LIMIT));
  expect(res.headers['gs1-epcis-capture-file-size-limit']).toBe(String(CAPTURE_FILE_SIZE_LIMIT));
}

function expectProblem(res: request.Response, status: number, type: string) {
  expect({ status: res.status, type: res.body.type }).toEqual({ status, type: `epcisException:${type}` });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ title: expect.any(String), status, detail: expect.any(String) });
  expectEpcisHeaders(res);
}

describe('EPCIS 2.0 REST binding: capture and events (real Postgres)', () => {
  let app: INestApplication;
  let maker: { apiKey: string; id: string };
  let other: { apiKey: string; id: string };
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    // The examples commission GTINs under these prefixes (the TransformationEvents' inputs and outputs).
    maker = await createOrganization(app, {
      name: 'Example Maker',
      role: 'MANUFACTURER',
      gln: withCheckDigit('061414100001'),
      companyPrefixes: ['0614141', '4012345', '4000001'],
    });
    other = await createOrganization(app, { name: 'Other Distributor', role: 'DISTRIBUTOR', gln: withCheckDigit('061414100002') });
  });

  const http = () => request(app.getHttpServer());
  const auth = (key = maker.apiKey) => ({ Authorization: `Bearer ${key}` });
  const postCapture = (body: unknown, type = 'application/ld+json', key = maker.apiKey) =>
    http()
      .post('/epcis/capture')
      .set(auth(key))
      .set('Content-Type', type)
      .send(typeof body === 'string' ? body : JSON.stringify(body));
  const sql = async (text: string, values: unknown[] = []) => {
    const c = new Client({ connectionString: dbUrl() });
    await c.connect();
    try {
      return (await c.query(text, values)).rows;
    } finally {
      await c.end();
    }
  };
  const count = async (text: string) => Number((await sql(text))[0].count);

  async function finished(location: string, key = maker.apiKey) {
    for (let i = 0; i < 200; i++) {
      const res = await http().get(location).set(auth(key));
      expect(res.status).toBe(200);
      if (!res.body.running) return res;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`${location} still running`);
  }

  it('answers OPTIONS with the allowed methods and the binding headers', async () => {
    for (const [url, allow] of [
      ['/epcis/capture', 'OPTIONS, GET, POST'],
      ['/epcis/capture/00000000-0000-0000-0000-000000000000', 'OPTIONS, GET'],
      ['/epcis/events', 'OPTIONS, GET, POST'],
      ['/epcis/events/x', 'OPTIONS, GET'],
    ]) {
      const res = await http().options(url);
      expect({ url, status: res.status, allow: res.headers.allow }).toEqual({ url, status: 204, allow });
      expectEpcisHeaders(res);
    }
  });

  it('refuses missing and unknown API keys with a SecurityException', async () => {
    expectProblem(await http().get('/epcis/events'), 401, 'SecurityException');
    expectProblem(await http().get('/epcis/capture').set(auth('pt_nope')), 401, 'SecurityException');
    expectProblem(await postCapture(epcisDocument([]), 'application/json', 'pt_nope'), 401, 'SecurityException');
  });

  it('negotiates versions: 406 NotAcceptableException when GS1-EPCIS-Min/Max or GS1-CBV-Min/Max exclude 2.0.0', async () => {
    const get = (headers: Record<string, string>) => http().get('/epcis/events').set(auth()).set(headers);
    const refusing: Record<string, string>[] = [
      { 'GS1-EPCIS-Min': '2.1' },
      { 'GS1-EPCIS-Max': '1.2.0' },
      { 'GS1-CBV-Min': '3' },
      { 'GS1-EPCIS-Max': 'latest' },
    ];
    for (const headers of refusing) {
      const refused = await get(headers);
      expectProblem(refused, 406, 'NotAcceptableException');
      expect(refused.body.detail).toMatch(new RegExp(Object.keys(headers)[0], 'i'));
    }
    const accepting: Record<string, string>[] = [
      { 'GS1-EPCIS-Min': '1.2', 'GS1-EPCIS-Max': '2.0' },
      { 'GS1-CBV-Min': '2.0.0', 'GS1-CBV-Max': '2.0.0' },
    ];
    for (const headers of accepting) {
      expect((await get(headers)).status).toBe(200);
    }
    const options = await http().options('/epcis/events');
    expect(options.headers).toMatchObject({
      'gs1-epcis-min': '2.0.0',
      'gs1-epcis-max': '2.0.0',
      'gs1-cbv-min': '2.0.0',
      'gs1-cbv-max': '2.0.0',
    });
  });

  it('negotiates content: 406 for unknown types, 415 for bodies that are neither JSON nor XML', async () => {
    expectProblem(await http().get('/epcis/events').set(auth()).set('Accept', 'text/csv'), 406, 'NotAcceptableException');
    const json = await http().get('/epcis/events').set(auth()).set('Accept', 'application/json');
    expect(json.status).toBe(200);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const ld = await http().get('/epcis/events').set(auth());
    expect(ld.headers['content-type']).toMatch(/^application\/ld\+json/);
    expectProblem(await postCapture('epcis', 'text/plain'), 415, 'UnsupportedMediaTypeException');
    expectProblem(await postCapture('{"type":', 'application/ld+json'), 400, 'ValidationException');
  });

  it('refuses documents over the event and size limits with 413 CaptureLimitExceededException', async () => {
    const event = shippingEvent({ eventTime: '2026-01-01T00:00:00Z', epcs: ['urn:epc:id:sscc:0614141.1234567890'] });
    const tooMany = await postCapture(epcisDocument(Array.from({ length: CAPTURE_EVENT_LIMIT + 1 }, () => event)));
    expectProblem(tooMany, 413, 'CaptureLimitExceededException');
    expect(tooMany.body.rule).toBe('capture-limit');
    // Declared, not sent: the length alone is refused before any byte is read.
    const tooBig = await postCapture('{}', 'application/ld+json').set('Content-Length', String(CAPTURE_FILE_SIZE_LIMIT + 1));
    expectProblem(tooBig, 413, 'CaptureLimitExceededException');
    expect(tooBig.body.rule).toBe('file-size-limit');
    expect(await count('SELECT count(*) FROM capture_job')).toBe(0);
  });

  const examples = readdirSync(EXAMPLES).filter((f) => f.endsWith('.jsonld'));

  it('has all 13 official examples to capture', () => {
    expect(examples).toHaveLength(13);
  });

  it.each(examples)('captures %s with 202 + Location, and serves its events back with identical CBV 2.0 hashes', async (file) => {
    const document = asCaptureDocument(readJson(path.join(EXAMPLES, file)));
    const expected = eventHashes(document).map((h) => h.hash);
    const type = file.startsWith('Example_9') ? 'application/json' : 'application/ld+json';
    // Most examples carry hash-form eventIDs computed by an older draft of the algorithm: refused as they are,
    // captured once each is the event's hash.
    const stale = eventIdMismatches(document);
    if (stale.length) {
      const refused = await postCapture(document, type);
      expectProblem(refused, 400, 'ValidationException');
      expect(refused.body).toMatchObject({ code: 'EVENT_ID_MISMATCH' });
      expect(refused.body.issues.map((i: { eventIndex: number }) => i.eventIndex)).toEqual(stale.map((i) => i.eventIndex));
      for (const { eventIndex } of stale)
        (document.epcisBody.eventList as Record<string, unknown>[])[eventIndex!].eventID = expected[eventIndex!];
    }
    const res = await postCapture(document, type);
    expect(res.status).toBe(202);
    expectEpcisHeaders(res);
    expect(res.headers.location).toMatch(/^\/epcis\/capture\/[0-9a-f-]{36}$/);
    const job = await finished(res.headers.location);
    expect(job.body).toMatchObject({ captureID: res.headers.location.split('/').pop(), running: false, captureErrorBehaviour: 'rollback' });
    expect(Date.parse(job.body.finishedAt)).toBeGreaterThanOrEqual(Date.parse(job.body.createdAt));
    expect(job.body).toMatchObject({ success: true, errors: [] });
    // Some official examples repeat another's events: those count as duplicates (already stored), the rest as captured.
    expect(job.body.capturedCount + job.body.duplicateCount).toBe(expected.length);

    const queried = await http().get('/epcis/events').query({ EQ_eventID: expected }).set(auth());
    expect(queried.status).toBe(200);
    expectEpcisHeaders(queried);
    expect(queried.body.type).toBe('EPCISQueryDocument');
    expect(
      eventHashes(queried.body)
        .map((h) => h.hash)
        .sort(),
    ).toEqual([...new Set(expected)].sort());

    const events = eventHashes(document);
    for (const [i, event] of (document.epcisBody.eventList as Record<string, unknown>[]).entries()) {
      const one = await http()
        .get(`/epcis/events/${encodeURIComponent(events[i].hash)}`)
        .set(auth());
      expect(one.status).toBe(200);
      expect(eventHashes(queryDocumentOf([oneEvent(one.body)]))[0].hash).toBe(events[i].hash);
      if (typeof event.eventID === 'string') {
        const byDeclared = await http()
          .get(`/epcis/events/${encodeURIComponent(event.eventID)}`)
          .set(auth());
        expect(byDeclared.status).toBe(200);
      }
    }
  });

  it("indexes the examples' GIAI and GSRN EPCs under their canonical Digital Links", async () => {
    const canonical = [
      'https://id.gs1.org/8004/400000112345',
      'https://id.gs1.org/8004/952005385w2',
      'https://id.gs1.org/8018/952520840000000010',
    ];
    const list = canonical.map((epc) => `'${epc}'`).join(', ');
    expect(await count(`SELECT count(DISTINCT epc) FROM event_epc WHERE epc IN (${list})`)).toBe(canonical.length);
  });

  it.each(readdirSync(INVALID).filter((f) => f.endsWith('.json')))(
    'rejects %s with 400 ValidationException naming event, field and rule',
    async (file) => {
      const events = await count('SELECT count(*) FROM event');
      const jobs = await count('SELECT count(*) FROM capture_job');
      const res = await postCapture(readJson(path.join(INVALID, file)));
      expectProblem(res, 400, 'ValidationException');
      expect(res.body.instance).toBe('/epcis/capture');
      expect(res.body.issues.length).toBeGreaterThan(0);
      // A document-level issue (e.g. no @context) names no event: eventIndex null.
      for (const issue of res.body.issues) {
        expect(issue).toEqual({
          eventIndex: issue.eventIndex === null ? null : expect.any(Number),
          field: expect.any(String),
          rule: expect.any(String),
          message: expect.any(String),
        });
      }
      expect(await count('SELECT count(*) FROM event')).toBe(events);
      expect(await count('SELECT count(*) FROM capture_job')).toBe(jobs);
    },
  );

  it('refuses an EPC the GS1 rules refuse (a wrong check digit) before the 202: 400, no job, nothing stored', async () => {
    const events = await count('SELECT count(*) FROM event');
    const jobs = await count('SELECT count(*) FROM capture_job');
    const doc = epcisDocument([
      shippingEvent({ eventTime: '2026-02-01T00:00:00Z', epcs: ['urn:epc:id:sscc:0614141.1234567891'] }),
      shippingEvent({ eventTime: '2026-02-01T00:00:00Z', epcs: ['https://id.gs1.org/01/00614141107343/21/X1'] }),
    ]);
    const res = await postCapture(doc, 'application/json', other.apiKey);
    expectProblem(res, 400, 'ValidationException');
    expect(res.body.issues).toEqual([expect.objectContaining({ eventIndex: 1, field: '/epcList/0' })]);
    expect([await count('SELECT count(*) FROM event'), await count('SELECT count(*) FROM capture_job')]).toEqual([events, jobs]);
  });

  it('records a failed capture (forbidden commissioning) in its job and stores nothing', async () => {
    const events = await count('SELECT count(*) FROM event');
    const doc = epcisDocument([
      shippingEvent({ eventTime: '2026-02-01T00:00:00Z', epcs: ['urn:epc:id:sscc:0614141.1234567891'] }),
      {
        type: 'ObjectEvent',
        eventTime: '2026-02-01T00:00:00Z',
        eventTimeZoneOffset: '+00:00',
        epcList: ['urn:epc:id:sgtin:0614141.107346.X1'],
        action: 'ADD',
        bizStep: 'commissioning',
      },
    ]);
    const res = await postCapture(doc, 'application/json', other.apiKey);
    expect(res.status).toBe(202);
    const job = await finished(res.headers.location, other.apiKey);
    expect(job.body).toMatchObject({
      success: false,
      errors: [{ type: 'epcisException:SecurityException', eventIndex: 1, field: '/epcList/0', rule: 'NOT_MANUFACTURER' }],
    });
    expect(await count('SELECT count(*) FROM event')).toBe(events);
  });

  it("ends a job whose server stopped mid-capture as CAPTURE_INTERRUPTED, and leaves a live server's job running", async () => {
    const insertJob = async (heartbeatAgoSeconds: number) =>
      (
        await sql(
          `INSERT INTO capture_job (organization_id, heartbeat_at) VALUES ($1, clock_timestamp() - make_interval(secs => $2)) RETURNING id`,
          [other.id, heartbeatAgoSeconds],
        )
      )[0].id as string;
    const abandoned = await insertJob(120);
    const live = await insertJob(5);
    const heartbeatOf = async (id: string) =>
      (await sql(`SELECT heartbeat_at FROM capture_job WHERE id = $1`, [id]))[0].heartbeat_at as Date;
    const liveBefore = await heartbeatOf(live);

    expect(await app.get(CaptureJobService).keepAlive(CAPTURE_JOB_ABANDONED_AFTER_MS)).toEqual([abandoned]);
    const ended = await http().get(`/epcis/capture/${abandoned}`).set(auth(other.apiKey));
    expect(ended.body).toMatchObject({
      running: false,
      success: false,
      errors: [
        {
          type: 'epcisException:ImplementationException',
          code: 'CAPTURE_INTERRUPTED',
          detail: expect.stringMatching(/send the document again/),
        },
      ],
    });
    expect((await http().get(`/epcis/capture/${live}`).set(auth(other.apiKey))).body).toMatchObject({ running: true, success: true });
    // Only the server running a job moves its heartbeat; a second sweep ends nothing more.
    expect(await heartbeatOf(live)).toEqual(liveBefore);
    expect(await app.get(CaptureJobService).keepAlive(CAPTURE_JOB_ABANDONED_AFTER_MS)).toEqual([]);
    await app.get(CaptureJobRepository).heartbeat([live]);
    expect((await heartbeatOf(live)).getTime()).toBeGreaterThan(liveBefore.getTime());
    await sql(`UPDATE capture_job SET running = false, success = false, finished_at = clock_timestamp() WHERE id = $1`, [live]);
  });

  it('lists only the caller’s capture jobs, newest first, paged with Link rel="next"; another’s job is a 404', async () => {
    const mine = await count(`SELECT count(*) FROM capture_job WHERE organization_id = '${maker.id}'`);
    expect(mine).toBeGreaterThan(4);
    const seen: string[] = [];
    let url: string | undefined = '/epcis/capture?perPage=4';
    while (url) {
      const res: request.Response = await http().get(url).set(auth());
      expect(res.status).toBe(200);
      expectEpcisHeaders(res);
      seen.push(...res.body.map((j: { captureID: string }) => j.captureID));
      url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.link ?? '')?.[1];
    }
    expect(seen).toHaveLength(mine);
    expect(new Set(seen).size).toBe(mine);
    const othersJob = await http().get('/epcis/capture?perPage=1').set(auth(other.apiKey));
    expect(othersJob.body).toHaveLength(1);
    expectProblem(await http().get(`/epcis/capture/${othersJob.body[0].captureID}`).set(auth()), 404, 'NoSuchResourceException');
    expectProblem(await http().get('/epcis/capture/not-a-uuid').set(auth()), 404, 'NoSuchResourceException');
    expectProblem(await http().get('/epcis/capture?perPage=0').set(auth()), 400, 'QueryParameterException');
  });

  it('captures one event with POST /epcis/events: 201 + Location that serves it back', async () => {
    const event = shippingEvent({ eventTime: '2026-03-01T10:00:00.123Z', epcs: ['urn:epc:id:sscc:0614141.1234567899'] });
    const res = await http().post('/epcis/events').set(auth()).set('Content-Type', 'application/ld+json').send(JSON.stringify(event));
    expect(res.status).toBe(201);
    expectEpcisHeaders(res);
    const hash = eventHashes(epcisDocument([event]))[0].hash;
    expect(res.headers.location).toBe(`/epcis/events/${encodeURIComponent(hash)}`);
    const back = await http().get(res.headers.location).set(auth()).set('GS1-EPC-Format', 'Never_Translates');
    expect(back.status).toBe(200);
    expect(oneEvent(back.body)).toMatchObject(event);
    expect(eventHashes(queryDocumentOf([oneEvent(back.body)]))[0].hash).toBe(hash);

    expectProblem(
      await http().post('/epcis/events').set(auth()).set('Content-Type', 'application/json').send('[1]'),
      400,
      'ValidationException',
    );
    const invalid = await http()
      .post('/epcis/events')
      .set(auth())
      .send({ ...event, action: 'MOVE' });
    expectProblem(invalid, 400, 'ValidationException');
    expect(invalid.body.issues[0]).toMatchObject({ eventIndex: 0, field: '/action' });
  });

  it('answers 404 NoSuchResourceException for an unknown event and 400 QueryParameterException for bad parameters', async () => {
    const unknown = `ni:///sha-256;${'0'.repeat(64)}?ver=CBV2.0`;
    const missing = await http()
      .get(`/epcis/events/${encodeURIComponent(unknown)}`)
      .set(auth());
    expectProblem(missing, 404, 'NoSuchResourceException');
    expect(missing.body.instance).toBe(`/epcis/events/${encodeURIComponent(unknown)}`);
    const bad = await http().get('/epcis/events?GE_eventTime=yesterday').set(auth());
    expectProblem(bad, 400, 'QueryParameterException');
    expect(bad.body).toMatchObject({ parameter: 'GE_eventTime', rule: 'format:date-time' });
  });
});
