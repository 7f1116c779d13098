import type { AppConfig } from '@pharmatrace/config';
import {
  commissioningEvent,
  createEpcisValidator,
  decommissioningEvent,
  epcisDocument,
  EpcisValidator,
  eventHashesSliced,
  Json,
} from '@pharmatrace/epcis';
import {
  AlertRecord,
  ConcurrentStatesError,
  EventRepository,
  LicenceRepository,
  SignatureRepository,
  VerificationRepository,
} from '@pharmatrace/persistence';
import { Clock } from '../common/clock';
import { TradingPartnerLoader } from '../licences/trading-partner.loader';
import { ApiMetrics } from '../metrics/api.metrics';
import { SignatureService } from '../signatures/signature.service';
import { CaptureError, CaptureErrorCode } from './capture.error';
import { CaptureService } from './capture.service';
import { FakeEventStore } from './event-store.fake';
import { MANUFACTURER, PHARMACY } from '../common/organization.fixtures';
import { fakeMasterData } from '../master-data/master-data.fake';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const pack = (serial: string) => `https://id.gs1.org/01/00614141123452/21/${serial}`;

// Compiling the EPCIS schema takes a while; one validator serves every spec here, as one serves the whole API.
let validator: EpcisValidator;
beforeAll(() => {
  validator = createEpcisValidator();
});

function setup({ requireSigned = false } = {}) {
  const store = new FakeEventStore();
  const alerts: AlertRecord[] = [];
  const counted = { inserted: 0, duplicates: 0 };
  const config = { eventTimeMaxSkewMs: 5 * 60_000, licenceEnforcement: 'refuse' } as AppConfig;
  const signatures = new SignatureService({
    signingKeyOf: async () => ({ ethAddress: null, requireSignedCaptures: requireSigned }),
  } as unknown as SignatureRepository);
  const partners = new TradingPartnerLoader(
    { tradingPartners: async () => ({ partners: [], horizon: '1' }) } as unknown as LicenceRepository,
    config,
  );
  const metrics = {
    countCapture: (inserted: number, duplicates: number) => {
      counted.inserted += inserted;
      counted.duplicates += duplicates;
    },
  };
  const clock: Clock = () => NOW;
  const service = new CaptureService(
    validator,
    store as unknown as EventRepository,
    { recordAlert: async (a: AlertRecord) => void alerts.push(a) } as unknown as VerificationRepository,
    signatures,
    metrics as unknown as ApiMetrics,
    config,
    clock,
    partners,
    fakeMasterData().service,
  );
  return { service, store, alerts, counted };
}

const commission = (serials: string[], over: Partial<{ lot: string; expiry: string; eventTime: string }> = {}) =>
  commissioningEvent({
    eventTime: over.eventTime ?? '2026-03-01T11:00:00.000Z',
    epcs: serials.map(pack),
    lot: over.lot ?? 'LOT42',
    expiry: over.expiry ?? '2028-01-31',
  });

describe('capture', () => {
  it('stores a commissioning, counts what it stored, and answers the CBV hashes of the document', async () => {
    const { service, store, counted } = setup();
    const document = epcisDocument([commission(['S1', 'S2'])]);
    const result = await service.capture(MANUFACTURER, document);

    const expected = (await eventHashesSliced(document)).map((h) => h.hash);
    expect(result).toEqual({ capturedCount: 1, duplicateCount: 0, eventHashes: expected });
    expect(store.states.get(pack('S1'))).toMatchObject({
      status: 'ACTIVE',
      custodianId: MANUFACTURER.id,
      lot: 'LOT42',
      expiry: '2028-01-31',
    });
    expect(store.states.get(pack('S2'))?.commissionedBy).toBe(MANUFACTURER.id);
    expect(counted).toEqual({ inserted: 1, duplicates: 0 });
  });

  it('treats the same document sent twice as duplicates, not an error', async () => {
    const { service, store, counted } = setup();
    const document = epcisDocument([commission(['S1'])]);
    await service.capture(MANUFACTURER, document);
    const again = await service.capture(MANUFACTURER, document);
    expect(again).toMatchObject({ capturedCount: 0, duplicateCount: 1 });
    expect(store.events.size).toBe(1);
    expect(counted).toEqual({ inserted: 1, duplicates: 1 });
  });

  it('refuses a schema-invalid document before anything is stored', async () => {
    const { service, store } = setup();
    const document = epcisDocument([{ ...commission(['S1']), action: 'SOMETIMES' }]);
    await expect(service.capture(MANUFACTURER, document)).rejects.toMatchObject({ code: CaptureErrorCode.INVALID_DOCUMENT });
    expect(store.events.size).toBe(0);
  });

  it('names the event and field of a GS1 rule broken past the schema (a lot number AI 10 refuses)', async () => {
    const { service, store } = setup();
    const document = epcisDocument([commission(['S1']), commission(['S2'], { lot: 'LOT WITH SPACES AND~TILDE' })]);
    const error = await service.capture(MANUFACTURER, document).catch((e) => e);
    expect(error.code).toBe(CaptureErrorCode.INVALID_DOCUMENT);
    expect(error.issues).toEqual([expect.objectContaining({ eventIndex: 1, field: '/ilmd/cbvmda:lotNumber' })]);
    expect(store.events.size).toBe(0);
  });

  it('refuses an eventID that is not the hash of its own event', async () => {
    const { service } = setup();
    const event = {
      ...commission(['S1']),
      eventID: 'ni:///sha-256;0000000000000000000000000000000000000000000000000000000000000000?ver=CBV2.0',
    };
    await expect(service.capture(MANUFACTURER, epcisDocument([event]))).rejects.toMatchObject({ code: CaptureErrorCode.EVENT_ID_MISMATCH });
  });

  it("refuses a commissioning of another company's GTIN as forbidden, keeping the attempt as an alert", async () => {
    const { service, store, alerts } = setup();
    const error = await service.capture(PHARMACY, epcisDocument([commission(['S1'])])).catch((e) => e);
    expect(error.code).toBe(CaptureErrorCode.CAPTURE_FORBIDDEN);
    expect(error.issues[0]).toMatchObject({ eventIndex: 0, rule: 'NOT_MANUFACTURER' });
    expect(store.states.size).toBe(0);
    expect(alerts).toEqual([
      expect.objectContaining({ code: 'NOT_MANUFACTURER', epc: pack('S1'), gtin: '00614141123452', actorId: PHARMACY.id }),
    ]);
  });

  it('refuses a status change the pack state forbids as a conflict, and stores none of the document', async () => {
    const { service, store, alerts } = setup();
    await service.capture(MANUFACTURER, epcisDocument([commission(['S1', 'S2'])]));
    const at = '2026-03-01T11:30:00.000Z';
    await service.capture(MANUFACTURER, epcisDocument([decommissioningEvent({ eventTime: at, epcs: [pack('S1')] })]));
    expect(store.states.get(pack('S1'))?.status).toBe('DECOMMISSIONED');

    const document = epcisDocument([
      decommissioningEvent({ eventTime: '2026-03-01T11:40:00.000Z', epcs: [pack('S2')] }),
      decommissioningEvent({ eventTime: '2026-03-01T11:41:00.000Z', epcs: [pack('S1')], disposition: 'stolen' }),
    ]);
    const error = await service.capture(MANUFACTURER, document).catch((e) => e);
    expect(error.code).toBe(CaptureErrorCode.CAPTURE_CONFLICT);
    expect(error.issues).toEqual([expect.objectContaining({ eventIndex: 1, field: '/epcList/0', rule: 'PACK_INACTIVE' })]);
    // All or nothing: the valid decommissioning in the same document was rolled back with it.
    expect(store.states.get(pack('S2'))?.status).toBe('ACTIVE');
    expect(alerts.map((a) => a.code)).toEqual(['PACK_INACTIVE']);
  });

  it("judges event times against the server's clock, not the client's", async () => {
    const { service, store } = setup();
    const ahead = new Date(NOW.getTime() + 5 * 60_000 + 1_000).toISOString();
    const error = await service.capture(MANUFACTURER, epcisDocument([commission(['S1'], { eventTime: ahead })])).catch((e) => e);
    expect(error.code).toBe(CaptureErrorCode.CAPTURE_FORBIDDEN);
    expect(error.issues[0]).toMatchObject({ field: '/eventTime', rule: 'FUTURE_EVENT' });
    expect(store.events.size).toBe(0);

    const within = new Date(NOW.getTime() + 4 * 60_000).toISOString();
    await expect(service.capture(MANUFACTURER, epcisDocument([commission(['S1'], { eventTime: within })]))).resolves.toMatchObject({
      capturedCount: 1,
    });
  });

  it('keeps an error declaration of a stored event as its correction, counted as captured', async () => {
    const { service, store } = setup();
    const original = commission(['S1']);
    await service.capture(MANUFACTURER, epcisDocument([original]));
    const declared = { ...original, errorDeclaration: { declarationTime: '2026-03-01T11:50:00.000Z', reason: 'incorrect_data' } };

    await expect(service.capture(MANUFACTURER, epcisDocument([declared]))).resolves.toMatchObject({ capturedCount: 1, duplicateCount: 0 });
    expect(store.corrections).toEqual([expect.objectContaining({ eventId: 1, declaredBy: MANUFACTURER.id })]);
    // The same declaration again is a duplicate.
    await expect(service.capture(MANUFACTURER, epcisDocument([declared]))).resolves.toMatchObject({ capturedCount: 0, duplicateCount: 1 });
  });

  it("refuses to declare another organization's event in error, naming the declaring event", async () => {
    const { service, store } = setup();
    const original = commission(['S1']);
    await service.capture(MANUFACTURER, epcisDocument([original]));
    const declared = { ...original, errorDeclaration: { declarationTime: '2026-03-01T11:50:00.000Z' } };
    const error = await service.capture(PHARMACY, epcisDocument([commission(['S9']), declared])).catch((e) => e);
    expect(error.code).toBe(CaptureErrorCode.CORRECTION_FORBIDDEN);
    expect(error.issues).toEqual([expect.objectContaining({ eventIndex: 1, field: '/errorDeclaration' })]);
    expect(store.corrections).toHaveLength(0);
  });

  it("answers items created by other captures at the same moment, past the store's retries, as a conflict to send again", async () => {
    const { service, store } = setup();
    jest.spyOn(store, 'capture').mockRejectedValueOnce(new ConcurrentStatesError());
    const error = await service.capture(MANUFACTURER, epcisDocument([commission(['S1'])])).catch((e) => e);
    expect(error).toBeInstanceOf(CaptureError);
    expect(error.code).toBe(CaptureErrorCode.CAPTURE_CONFLICT);
    expect(error.issues).toEqual([expect.objectContaining({ eventIndex: null, rule: 'concurrent-capture' })]);
    // Nothing was stored, and the same document goes through when sent again.
    await expect(service.capture(MANUFACTURER, epcisDocument([commission(['S1'])]))).resolves.toMatchObject({ capturedCount: 1 });
  });

  it('refuses an unsigned capture from an organization that requires signatures', async () => {
    const { service, store } = setup({ requireSigned: true });
    await expect(service.capture(MANUFACTURER, epcisDocument([commission(['S1'])]))).rejects.toMatchObject({ code: 'INVALID_SIGNATURE' });
    expect(store.events.size).toBe(0);
  });

  it('uses the hashes and events a REST job already checked and prepared instead of doing it again', async () => {
    const { service } = setup();
    const document = epcisDocument([commission(['S1'])]) as Json;
    const hashes = await service.check(document);
    const prepared = await service.prepare(MANUFACTURER, document, hashes);
    const spy = jest.spyOn(validator, 'validateDocumentSliced');
    await expect(service.capture(MANUFACTURER, document, undefined, { hashes, prepared })).resolves.toMatchObject({ eventHashes: hashes });
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('refuses by the rules that need no stored state in prepare, naming event and field', async () => {
    const { service } = setup();
    const document = epcisDocument([
      commission(['S1']),
      { ...commission(['S2']), epcList: ['https://id.gs1.org/01/00614141123453/21/S2'] },
    ]) as Json;
    const hashes = await service.check(document);
    await expect(service.prepare(MANUFACTURER, document, hashes)).rejects.toMatchObject({
      code: CaptureErrorCode.INVALID_DOCUMENT,
      issues: [expect.objectContaining({ eventIndex: 1, field: '/epcList/0' })],
    });
  });
});
