import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { standardsDir } from '@pharmatrace/gs1';
import { commissioningEvent, epcisDocument } from './document.builder';
import { eventHashes, eventHashesSliced } from './event-hash';
import { createEpcisValidator } from './schema.validator';
import { type Resumable, runSliced, runToEnd } from './time-slice';

const STANDARDS = path.join(standardsDir(), 'epcis-2.0');
const documents = (folder: string) =>
  readdirSync(path.join(STANDARDS, folder))
    .filter((f) => /\.json(ld)?$/.test(f))
    .map((f) => [f, JSON.parse(readFileSync(path.join(STANDARDS, folder, f), 'utf8'))] as const);

/** Busy for `ms` between pauses, `steps` times. */
function* busy(steps: number, ms: number): Resumable<number> {
  for (let i = 0; i < steps; i++) {
    const until = performance.now() + ms;
    while (performance.now() < until);
    yield;
  }
  return steps;
}

describe('time slices', () => {
  it('runToEnd runs the work at once; runSliced lets a timer in between slices, and returns the same value', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    try {
      expect(runToEnd(busy(30, 2))).toBe(30);
      expect(ticks).toBe(0);
      expect(await runSliced(busy(30, 2), 10)).toBe(30);
      // About 60 ms of work in 10 ms slices: the timer ran between them.
      expect(ticks).toBeGreaterThanOrEqual(3);
    } finally {
      clearInterval(timer);
    }
  });

  it('phases run one after another share a slice: the second pauses as soon as the first has used it up', async () => {
    await runSliced(busy(1, 1), 10);
    const pauses = jest.spyOn(global, 'setImmediate');
    try {
      // Two phases of 30 ms each in 50 ms slices: with a clock per phase, each would fit its own slice and never pause.
      await runSliced(busy(1, 30), 50);
      await runSliced(busy(1, 30), 50);
      expect(pauses).toHaveBeenCalledTimes(1);
    } finally {
      pauses.mockRestore();
    }
  });

  it('concurrent sliced works take turns: the event loop polls between any two slices, whichever works they belong to', async () => {
    const log: string[] = [];
    function* logged(name: string): Resumable<void> {
      for (let i = 0; i < 4; i++) {
        const until = performance.now() + 3;
        while (performance.now() < until);
        log.push(name);
        yield;
      }
    }
    // A timer runs once per turn of the loop at most: it marks the turns.
    const timer = setInterval(() => log.push('turn'), 0);
    try {
      await Promise.all(['a', 'b', 'c'].map((name) => runSliced(logged(name), 2)));
    } finally {
      clearInterval(timer);
    }
    // Each work's first step runs as it starts (a, b, c back to back); after that, one slice per turn. With a
    // setImmediate per paused work, the three resumed in the same turn: 'a', 'b', 'c' without a turn between them.
    const slices = log.slice(3);
    expect(slices.filter((x) => x !== 'turn')).toHaveLength(9);
    const backToBack = slices.filter((x, i) => i > 0 && x !== 'turn' && slices[i - 1] !== 'turn');
    expect(backToBack).toEqual([]);
  });

  const validator = createEpcisValidator();
  const many = epcisDocument(
    Array.from({ length: 300 }, (_, i) =>
      commissioningEvent({
        eventTime: new Date('2026-01-01T00:00:00Z'),
        epcs: [`urn:epc:id:sgtin:0614141.107346.S${i}`],
        lot: 'L1',
        expiry: '2028-01-31',
      }),
    ),
  );
  const broken = JSON.parse(JSON.stringify(many));
  broken.epcisBody.eventList[7].action = 'MOVE';
  broken.epcisBody.eventList[250].epcList = [5, 6];
  delete broken['@context'];

  it.each([
    ...documents('examples'),
    ...documents('invalid'),
    ['300 events', many] as const,
    ['300 events, three faults', broken] as const,
  ])('validates and hashes %s alike at once and in slices', async (_name, document) => {
    const issues = validator.validateDocument(document);
    expect(await validator.validateDocumentSliced(document)).toEqual(issues);
    let hashes: unknown;
    try {
      hashes = eventHashes(document);
    } catch (e) {
      await expect(eventHashesSliced(document)).rejects.toEqual(e);
      return;
    }
    expect(await eventHashesSliced(document)).toEqual(hashes);
  });

  it('names every faulty event of a document, by its index, and the document-level fault once', () => {
    const issues = validator.validateDocument(broken);
    expect(issues.filter((i) => i.eventIndex === null).length).toBeGreaterThanOrEqual(1);
    expect([...new Set(issues.map((i) => i.eventIndex).filter((i) => i !== null))]).toEqual([7, 250]);
  });
});
