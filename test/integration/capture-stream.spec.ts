import { INestApplication } from '@nestjs/common';
import { eventHash } from '@pharmatrace/epcis';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { Client } from 'pg';
import {
  CaptureFormat,
  DOCUMENT_CONTEXT,
  documentChunks,
  postCapture,
  sensorEvent,
  waitForJob,
  xmlEventElement,
} from '../../bench/capture-formats.bench';
import { createOrganization, startApi, testConfig, useDatabase, withCheckDigit } from '../support/platform';

const EVENTS = 2000;
/** About 15 KB per event (10 sensor reports and a logger record): 2,000 events make a document of about 30 MB. */
const REPORTS = 10;
const RECORD = 13_500;
const event = (run: number, i: number) => sensorEvent(run, i, REPORTS, RECORD);

/** V8's gc() without the --expose-gc flag, so heap samples count what is live, not garbage awaiting collection. */
function collectGarbage(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

describe('streamed capture of large documents (real Postgres)', () => {
  let app: INestApplication;
  let baseUrl: string;
  let apiKey: string;
  afterAll(() => app?.close());
  const dbUrl = useDatabase();

  beforeAll(async () => {
    app = await startApi(testConfig({ DATABASE_URL: dbUrl() }));
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    ({ apiKey } = await createOrganization(app, { name: 'Cold Chain', role: 'DISTRIBUTOR', gln: withCheckDigit('061414100003') }));
  });

  const count = async (sql: string) => {
    const c = new Client({ connectionString: dbUrl() });
    await c.connect();
    try {
      return Number((await c.query(sql)).rows[0].count);
    } finally {
      await c.end();
    }
  };

  it.each<[CaptureFormat, number]>([
    ['json', 1],
    ['xml', 2],
  ])(
    'captures a ~30 MB %s document through the streamed path with heap growth well below its size',
    async (format, run) => {
      const gc = collectGarbage();
      let bytes = 0;
      async function* counted() {
        for await (const chunk of documentChunks(format, EVENTS, (i) => event(run, i))) {
          bytes += chunk.length;
          yield chunk;
        }
      }
      gc();
      const baseline = process.memoryUsage().heapUsed;
      let peak = baseline;
      const sampler = setInterval(() => {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }, 1000);
      try {
        const job = await waitForJob(baseUrl, apiKey, await postCapture(baseUrl, apiKey, format, counted()), 100);
        expect(job).toMatchObject({ success: true, errors: [] });
      } finally {
        clearInterval(sampler);
      }
      expect(bytes).toBeGreaterThan(25e6);
      // The test's own client shares this heap; it holds one 64 KiB chunk at a time.
      expect(peak - baseline).toBeLessThan(bytes / 3);

      const stored = await count(
        `SELECT count(*) FROM event WHERE event_time >= '2026-01-01'::date + ${run} AND event_time < '2026-01-01'::date + ${run + 1}`,
      );
      expect(stored).toBe(EVENTS);
      for (const i of [0, 1234, EVENTS - 1]) {
        const hash = eventHash(event(run, i), DOCUMENT_CONTEXT).hash;
        const res = await fetch(`${baseUrl}/epcis/events/${encodeURIComponent(hash)}`, { headers: { authorization: `Bearer ${apiKey}` } });
        expect(res.status).toBe(200);
      }
    },
    180_000,
  );

  it.each<[CaptureFormat, string, Record<string, unknown>]>([
    ['json', 'schema', { eventIndex: 1700, field: '/action', type: 'epcisException:ValidationException' }],
    ['xml', 'syntax', { eventIndex: 1700, rule: 'xml-syntax', line: expect.any(Number), type: 'epcisException:ValidationException' }],
    // Streamed bodies bypass the input-limits pipe; each event is held to the same limits as it is read.
    ['json', 'input-limit', { eventIndex: 1700, field: '/logger:record', rule: 'no-nul', type: 'epcisException:ValidationException' }],
  ])(
    'rolls back a whole %s document whose event 1,700 breaks a %s rule, naming the event',
    async (format, kind, expected) => {
      const run = kind === 'input-limit' ? 5 : format === 'json' ? 3 : 4;
      const before = await count('SELECT count(*) FROM event');
      const bad = (i: number) => {
        const good = event(run, i);
        if (i !== 1700) return good;
        if (kind === 'input-limit') return { ...good, 'logger:record': 'x\u0000' };
        return format === 'json' ? { ...good, action: 'MOVE' } : xmlEventElement(good).replace('</action>', '</actoin>');
      };
      const job = await waitForJob(baseUrl, apiKey, await postCapture(baseUrl, apiKey, format, documentChunks(format, EVENTS, bad)), 100);
      expect(job.success).toBe(false);
      expect(job.errors[0]).toMatchObject(expected);
      expect(await count('SELECT count(*) FROM event')).toBe(before);
      expect(await count(`SELECT count(*) FROM pack_state WHERE epc LIKE '%sscc%'`)).toBe(
        await count(`SELECT count(*) FROM event_epc WHERE epc LIKE '%sscc%'`),
      );
    },
    180_000,
  );
});
