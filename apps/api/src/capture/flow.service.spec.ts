import type { Organization } from '@pharmatrace/domain';
import type { AppConfig } from '@pharmatrace/config';
import { createEpcisValidator, EpcisValidator, Json } from '@pharmatrace/epcis';
import { companyPrefixCandidates, epcToDigitalLink, Gs1ErrorCode, parseEpc } from '@pharmatrace/gs1';
import {
  AlertRecord,
  EventRepository,
  LicenceRepository,
  OrganizationRepository,
  SignatureRepository,
  VerificationRepository,
} from '@pharmatrace/persistence';
import fc from 'fast-check';
import { Clock } from '../common/clock';
import { TradingPartnerLoader } from '../licences/trading-partner.loader';
import { ApiMetrics } from '../metrics/api.metrics';
import { SignatureService } from '../signatures/signature.service';
import { CaptureErrorCode } from './capture.error';
import { CaptureService } from './capture.service';
import { FlowError, FlowErrorCode } from './flow.error';
import { FlowService } from './flow.service';
import { FakeEventStore } from './event-store.fake';
import { fakeMasterData } from '../master-data/master-data.fake';

/** OrganizationRepository.registeredCompanyPrefixes over the organizations registered in the spec; it keeps what was asked. */
class FakeOrganizations {
  readonly asked: string[][] = [];
  constructor(readonly registered: Organization[]) {}

  async registeredCompanyPrefixes(candidates: readonly string[]): Promise<Set<string>> {
    this.asked.push([...candidates]);
    const all = new Set(this.registered.flatMap((o) => o.companyPrefixes));
    return new Set(candidates.filter((c) => all.has(c)));
  }
}

const org = (id: string, role: string, gln: string, companyPrefixes: string[]) =>
  ({ id, name: id, role, gln, companyPrefixes }) as Organization;
const MANUFACTURER = org('org-maker', 'MANUFACTURER', '0614141000012', ['0614141']);
const DISTRIBUTOR = org('org-wholesaler', 'DISTRIBUTOR', '4012345000016', ['4012345']);
/** A pharmacy whose GLN lies under no registered company prefix, as many do. */
const PHARMACY = org('org-pharmacy', 'DISPENSER', '9520000000011', []);
const OTHER_DISTRIBUTOR = org('org-other', 'DISTRIBUTOR', '4012345000023', []);

const GTIN = '00614141123452';
const SSCC = '006141411234567890';
const urn = (serial: string) => `urn:epc:id:sgtin:0614141.012345.${serial}`;
const link = (serial: string) => `https://id.gs1.org/01/${GTIN}/21/${serial}`;
const START = new Date('2026-03-01T12:00:00.000Z');

let validator: EpcisValidator;
beforeAll(() => {
  // Compiling the EPCIS schema takes a while; one validator serves every spec here, as one serves the whole API.
  validator = createEpcisValidator();
});

function setup(registered: Organization[] = [MANUFACTURER, DISTRIBUTOR, PHARMACY, OTHER_DISTRIBUTOR], { stillClock = false } = {}) {
  const store = new FakeEventStore();
  const alerts: AlertRecord[] = [];
  const config = { eventTimeMaxSkewMs: 5 * 60_000, licenceEnforcement: 'refuse' } as AppConfig;
  // The clock moves a minute per reading, so successive operations are ordered as they would be in real time.
  const readings: Date[] = [];
  const clock: Clock = () => {
    if (stillClock) return START;
    readings.push(new Date(START.getTime() + (readings.length + 1) * 60_000));
    return readings[readings.length - 1];
  };
  const capture = new CaptureService(
    validator,
    store as unknown as EventRepository,
    { recordAlert: async (a: AlertRecord) => void alerts.push(a) } as unknown as VerificationRepository,
    new SignatureService({
      signingKeyOf: async () => ({ ethAddress: null, requireSignedCaptures: false }),
    } as unknown as SignatureRepository),
    { countCapture: () => undefined } as unknown as ApiMetrics,
    config,
    clock,
    new TradingPartnerLoader({ tradingPartners: async () => ({ partners: [], horizon: '1' }) } as unknown as LicenceRepository, config),
    fakeMasterData().service,
  );
  const organizations = new FakeOrganizations(registered);
  const flow = new FlowService(capture, organizations as unknown as OrganizationRepository, clock);
  return { flow, store, alerts, readings, organizations };
}

const commissionInput = (serials: string[], over: Partial<{ gtin: string; lot: string; expiry: string; location: string }> = {}) => ({
  gtin: GTIN,
  serials,
  lot: 'LOT42',
  expiry: '2028-01-31',
  location: MANUFACTURER.gln,
  ...over,
});

/** The typed error a flow refuses with, or a failure naming what happened instead. */
async function flowError(promise: Promise<unknown>): Promise<FlowError> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a FlowError, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof FlowError)) throw outcome.error;
  expect(outcome.error.code).toBe(FlowErrorCode.INVALID_FLOW_INPUT);
  expect(outcome.error.details).toEqual({ field: outcome.error.field, rule: outcome.error.rule });
  return outcome.error;
}

describe('commission', () => {
  it('writes SGTIN URNs under the registered prefix length, at the server time, and stores the packs as active', async () => {
    const { flow, store, readings } = setup();
    const result = await flow.commission(MANUFACTURER, commissionInput(['S1', 'S2']));

    expect(result).toMatchObject({ capturedCount: 1, duplicateCount: 0 });
    expect(result.eventHashes).toHaveLength(1);
    const [event] = result.events as Json[];
    expect(event).toMatchObject({
      type: 'ObjectEvent',
      action: 'ADD',
      bizStep: 'commissioning',
      epcList: [urn('S1'), urn('S2')],
      // The flow's own reading, the first; the capture reads its record time after it.
      eventTime: readings[0].toISOString(),
      ilmd: { 'cbvmda:lotNumber': 'LOT42', 'cbvmda:itemExpirationDate': '2028-01-31' },
      bizLocation: { id: 'urn:epc:id:sgln:0614141.00001.0' },
      readPoint: { id: 'urn:epc:id:sgln:0614141.00001.0' },
    });
    expect(store.bodies()).toEqual([expect.objectContaining({ epcList: [urn('S1'), urn('S2')] })]);
    expect(store.states.get(link('S1'))).toMatchObject({
      status: 'ACTIVE',
      custodianId: MANUFACTURER.id,
      lot: 'LOT42',
      expiry: '2028-01-31',
    });
    expect(store.states.get(link('S2'))?.commissionedBy).toBe(MANUFACTURER.id);
  });

  it("asks for the registered prefixes among its keys' candidates alone, seven a key, not for every one", async () => {
    const { flow, organizations } = setup();
    await flow.commission(MANUFACTURER, commissionInput(['S1']));
    // The GTIN's candidates and the location GLN's: never the whole registry, whatever its size.
    expect(organizations.asked).toEqual([[...companyPrefixCandidates(GTIN.slice(1)), ...companyPrefixCandidates(MANUFACTURER.gln)]]);
  });

  it('splits the GTIN after the longest registered prefix that covers it', async () => {
    const { flow } = setup([{ ...MANUFACTURER, companyPrefixes: ['061414', '0614141123'] }]);
    const [event] = (await flow.commission(MANUFACTURER, commissionInput(['S1']))).events as Json[];
    expect(event.epcList).toEqual(['urn:epc:id:sgtin:0614141123.045.S1']);
  });

  it('keeps a location given as an SGLN as it was given', async () => {
    const { flow } = setup();
    const sgln = 'urn:epc:id:sgln:0614141.00001.dock7';
    const [event] = (await flow.commission(MANUFACTURER, commissionInput(['S1'], { location: sgln }))).events as Json[];
    expect(event.bizLocation).toEqual({ id: sgln });
  });

  it.each([
    ['an impossible date', { expiry: '2028-02-30' }, 'expiry', 'format:date'],
    ['a date-time', { expiry: '2028-01-31T00:00:00Z' }, 'expiry', 'format:date'],
    ['a GTIN with a wrong check digit', { gtin: '00614141123453' }, 'gtin', Gs1ErrorCode.BAD_CHECK_DIGIT],
    ['a GTIN under no registered prefix', { gtin: '09520000000011' }, 'gtin', Gs1ErrorCode.UNKNOWN_COMPANY_PREFIX],
    ['a 13-digit location with a wrong check digit', { location: '0614141000013' }, 'location', 'gln'],
    ['a location GLN under no registered prefix', { location: '9520000000028' }, 'location', Gs1ErrorCode.UNKNOWN_COMPANY_PREFIX],
    ['a location that is an SGTIN, not a place', { location: urn('S9') }, 'location', 'sgln'],
    ['a location that is no EPC', { location: 'warehouse 7' }, 'location', Gs1ErrorCode.BAD_EPC_URI],
  ])('refuses %s, naming the field and rule, and stores nothing', async (_, over, field, rule) => {
    const { flow, store } = setup();
    const error = await flowError(flow.commission(MANUFACTURER, commissionInput(['S1'], over)));
    expect({ field: error.field, rule: error.rule }).toEqual({ field, rule });
    expect(store.events.size).toBe(0);
  });

  it('refuses an empty serial list', async () => {
    const { flow } = setup();
    const error = await flowError(flow.commission(MANUFACTURER, commissionInput([])));
    expect([error.field, error.rule]).toEqual(['serials', 'non-empty']);
  });

  it.each([
    ['empty', ''],
    ['longer than 20 characters', 'S'.repeat(21)],
    ['outside the AI encodable set', 'S 1~'],
  ])('refuses a serial that is %s, naming its position, and stores nothing', async (_, bad) => {
    const { flow, store } = setup();
    const error = await flowError(flow.commission(MANUFACTURER, commissionInput(['S1', 'S2', bad])));
    expect(error.field).toBe('serials.2');
    expect(store.events.size).toBe(0);
  });

  it("leaves who may commission to the capture's state rules: another company's GTIN is refused as forbidden", async () => {
    const { flow, store, alerts } = setup();
    const error = await flow.commission(DISTRIBUTOR, commissionInput(['S1'])).catch((e) => e);
    expect(error.code).toBe(CaptureErrorCode.CAPTURE_FORBIDDEN);
    expect(error.issues[0]).toMatchObject({ eventIndex: 0, rule: 'NOT_MANUFACTURER' });
    expect(store.states.size).toBe(0);
    expect(alerts.map((a) => a.actorId)).toEqual([DISTRIBUTOR.id]);
  });

  it('turns any set of valid serials into EPCs that read back as the same GTIN and serials, one stored pack each', async () => {
    // GS1 AI (21): up to 20 characters of the AI encodable set 82; URN escaping must carry each one through.
    const set82 = [...'0123456789ABCXYZabcxyz!"%&\'()*+,-./:;<=>?_'];
    const serial = fc.array(fc.constantFrom(...set82), { minLength: 1, maxLength: 20 }).map((cs) => cs.join(''));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(serial, { minLength: 1, maxLength: 6 }), async (serials) => {
        const { flow, store } = setup();
        const [event] = (await flow.commission(MANUFACTURER, commissionInput(serials))).events as Json[];
        const read = (event.epcList as string[]).map((epc) => parseEpc(epc));
        expect(read).toEqual(serials.map((s) => ({ kind: 'sgtin', gtin: GTIN, serial: s })));
        expect([...store.states.values()].map((s) => s.serial).sort()).toEqual([...serials].sort());
        for (const s of serials)
          expect(store.states.get(epcToDigitalLink({ kind: 'sgtin', gtin: GTIN, serial: s }))?.status).toBe('ACTIVE');
      }),
      { numRuns: 25 },
    );
  });
});

describe('pack and unpack', () => {
  it('packs into an SSCC given as 18 digits, at the packer’s own location, and unpacks everything when no children are named', async () => {
    const { flow, store } = setup();
    await flow.commission(MANUFACTURER, commissionInput(['S1', 'S2']));
    const packed = await flow.pack(MANUFACTURER, { parent: SSCC, children: [urn('S1'), urn('S2')] });
    const [packing] = packed.events as Json[];
    expect(packing).toMatchObject({
      type: 'AggregationEvent',
      action: 'ADD',
      parentID: 'urn:epc:id:sscc:0614141.0123456789',
      childEPCs: [urn('S1'), urn('S2')],
      bizLocation: { id: 'urn:epc:id:sgln:0614141.00001.0' },
    });
    const container = epcToDigitalLink(parseEpc(packing.parentID as string));
    expect(store.states.get(link('S1'))?.containerEpc).toBe(container);

    const unpacked = await flow.unpack(MANUFACTURER, { parent: packing.parentID as string });
    const [unpacking] = unpacked.events as Json[];
    expect(unpacking).toMatchObject({ action: 'DELETE', parentID: packing.parentID });
    expect(unpacking).not.toHaveProperty('childEPCs');
    expect(store.states.get(link('S1'))?.containerEpc).toBeNull();
    expect(store.states.get(link('S2'))?.containerEpc).toBeNull();
  });

  it('unpacks only the children named', async () => {
    const { flow, store } = setup();
    await flow.commission(MANUFACTURER, commissionInput(['S1', 'S2']));
    await flow.pack(MANUFACTURER, { parent: SSCC, children: [urn('S1'), urn('S2')] });
    const [unpacking] = (await flow.unpack(MANUFACTURER, { parent: SSCC, children: [urn('S2')] })).events as Json[];
    expect(unpacking.childEPCs).toEqual([urn('S2')]);
    expect(store.states.get(link('S1'))?.containerEpc).not.toBeNull();
    expect(store.states.get(link('S2'))?.containerEpc).toBeNull();
  });

  it.each([
    ['an 18-digit SSCC with a wrong check digit', '006141411234567891', Gs1ErrorCode.BAD_CHECK_DIGIT],
    ['an SSCC under no registered prefix', '095200001234567899', Gs1ErrorCode.UNKNOWN_COMPANY_PREFIX],
    ['an SGTIN as parent', urn('S1'), 'sscc'],
    ['a 17-digit parent', '00614141123456789', Gs1ErrorCode.BAD_EPC_URI],
  ])('refuses %s as the parent', async (_, parent, rule) => {
    const { flow, store } = setup();
    const packing = await flowError(flow.pack(MANUFACTURER, { parent, children: [urn('S1')] }));
    expect([packing.field, packing.rule]).toEqual(['parent', rule]);
    const unpacking = await flowError(flow.unpack(MANUFACTURER, { parent }));
    expect([unpacking.field, unpacking.rule]).toEqual(['parent', rule]);
    expect(store.events.size).toBe(0);
  });

  it('refuses a pack with no children', async () => {
    const { flow } = setup();
    const error = await flowError(flow.pack(MANUFACTURER, { parent: SSCC, children: [] }));
    expect([error.field, error.rule]).toEqual(['children', 'non-empty']);
  });
});

describe('ship and receive', () => {
  it('addresses a shipment to the PGLN of the GLN named, from the shipper, and lets only that party receive it', async () => {
    const { flow, store } = setup();
    await flow.commission(MANUFACTURER, commissionInput(['S1']));
    const [shipping] = (await flow.ship(MANUFACTURER, { epcs: [urn('S1')], to: DISTRIBUTOR.gln })).events as Json[];
    expect(shipping).toMatchObject({
      bizStep: 'shipping',
      epcList: [urn('S1')],
      sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:0614141.00001' }],
      destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:pgln:4012345.00001' }],
      bizLocation: { id: 'urn:epc:id:sgln:0614141.00001.0' },
    });
    expect(store.states.get(link('S1'))).toMatchObject({ destination: DISTRIBUTOR.gln });

    // Another organization under the same prefix is not the addressee.
    const refused = await flow.receive(OTHER_DISTRIBUTOR, { epcs: [urn('S1')] }).catch((e) => e);
    expect(refused.code).toBe(CaptureErrorCode.CAPTURE_FORBIDDEN);
    expect(refused.issues[0]).toMatchObject({ eventIndex: 0, rule: 'NOT_DESTINATION' });

    const [receiving] = (await flow.receive(DISTRIBUTOR, { epcs: [urn('S1')], from: MANUFACTURER.gln })).events as Json[];
    expect(receiving).toMatchObject({
      bizStep: 'receiving',
      sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:0614141.00001' }],
      destinationList: [{ type: 'owning_party', destination: 'urn:epc:id:pgln:4012345.00001' }],
      bizLocation: { id: 'urn:epc:id:sgln:4012345.00001.0' },
    });
    expect(store.states.get(link('S1'))).toMatchObject({ custodianId: DISTRIBUTOR.id, destination: null });
  });

  it('receives without a source when none is named', async () => {
    const { flow } = setup();
    await flow.commission(MANUFACTURER, commissionInput(['S1']));
    await flow.ship(MANUFACTURER, { epcs: [urn('S1')], to: DISTRIBUTOR.gln });
    const [receiving] = (await flow.receive(DISTRIBUTOR, { epcs: [urn('S1')] })).events as Json[];
    expect(receiving).not.toHaveProperty('sourceList');
  });

  it('writes the events of an organization whose own GLN lies under no registered prefix without its party or place, rather than refusing them', async () => {
    // A contract manufacturer: its GTINs are under a registered prefix, its own GLN is not.
    const maker = org('org-contract-maker', 'MANUFACTURER', PHARMACY.gln, ['0614141']);
    const { flow, store } = setup([maker, DISTRIBUTOR]);
    await flow.commission(maker, commissionInput(['S1', 'S2', 'S3'], { location: 'urn:epc:id:sgln:0614141.00001.0' }));
    const [packing] = (await flow.pack(maker, { parent: SSCC, children: [urn('S1')] })).events as Json[];
    const [shipping] = (await flow.ship(maker, { epcs: [urn('S2')], to: DISTRIBUTOR.gln })).events as Json[];
    const [decommissioning] = (await flow.decommission(maker, { epcs: [urn('S3')] })).events as Json[];

    expect(packing).not.toHaveProperty('bizLocation');
    expect(decommissioning).not.toHaveProperty('bizLocation');
    expect(shipping).not.toHaveProperty('bizLocation');
    expect(shipping).not.toHaveProperty('sourceList');
    expect(shipping.destinationList).toEqual([{ type: 'owning_party', destination: 'urn:epc:id:pgln:4012345.00001' }]);
    expect(store.events.size).toBe(4);
    expect(store.states.get(link('S2'))).toMatchObject({ destination: DISTRIBUTOR.gln });
  });

  it.each([
    ['a 12-digit GLN', '061414100001', 'gln'],
    ['a GLN with a wrong check digit', '0614141000013', 'gln'],
    ['a GLN URN instead of digits', 'urn:epc:id:pgln:0614141.00001', 'gln'],
    ['a GLN under no registered prefix', '9520000000028', Gs1ErrorCode.UNKNOWN_COMPANY_PREFIX],
  ])('refuses %s as the addressee or source', async (_, gln, rule) => {
    const { flow, store } = setup();
    const ship = await flowError(flow.ship(MANUFACTURER, { epcs: [urn('S1')], to: gln }));
    expect([ship.field, ship.rule]).toEqual(['to', rule]);
    const receive = await flowError(flow.receive(DISTRIBUTOR, { epcs: [urn('S1')], from: gln }));
    expect([receive.field, receive.rule]).toEqual(['from', rule]);
    expect(store.events.size).toBe(0);
  });

  it('refuses a GLN whose check digit is wrong, whatever its digits', async () => {
    const { flow } = setup();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 12, maxLength: 12 }),
        fc.integer({ min: 1, max: 9 }),
        async (digits, off) => {
          const body = digits.join('');
          const sum = [...body].reverse().reduce((acc, d, i) => acc + Number(d) * (i % 2 === 0 ? 3 : 1), 0);
          const wrong = (((10 - (sum % 10)) % 10) + off) % 10;
          const error = await flowError(flow.ship(MANUFACTURER, { epcs: [urn('S1')], to: `${body}${wrong}` }));
          expect([error.field, error.rule]).toEqual(['to', 'gln']);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses to ship or receive no EPCs', async () => {
    const { flow } = setup();
    const ship = await flowError(flow.ship(MANUFACTURER, { epcs: [], to: DISTRIBUTOR.gln }));
    const receive = await flowError(flow.receive(DISTRIBUTOR, { epcs: [] }));
    expect([ship.field, ship.rule, receive.field, receive.rule]).toEqual(['epcs', 'non-empty', 'epcs', 'non-empty']);
  });
});

describe('decommission', () => {
  it('takes packs out of the supply chain as inactive unless a reason is given', async () => {
    const { flow, store } = setup();
    await flow.commission(MANUFACTURER, commissionInput(['S1', 'S2']));
    const [plain] = (await flow.decommission(MANUFACTURER, { epcs: [urn('S1')] })).events as Json[];
    const [recalled] = (await flow.decommission(MANUFACTURER, { epcs: [urn('S2')], reason: 'recalled' })).events as Json[];
    expect([plain.disposition, recalled.disposition]).toEqual(['inactive', 'recalled']);
    expect(plain).toMatchObject({ action: 'DELETE', bizStep: 'decommissioning' });
    expect(store.states.get(link('S1'))?.status).toBe('DECOMMISSIONED');
    expect(store.states.get(link('S2'))?.status).toBe('DECOMMISSIONED');
  });

  it('refuses any reason that is not a CBV end-of-life disposition, before anything is written', async () => {
    const reasons = ['inactive', 'damaged', 'expired', 'recalled', 'stolen', 'non_sellable_other', 'destroyed', 'disposed', 'unavailable'];
    const { flow, store } = setup();
    await fc.assert(
      fc.asyncProperty(
        fc
          .oneof(fc.string(), fc.constantFrom('active', 'dispensed', 'in_transit', 'Recalled', 'recalled ', 'INACTIVE'))
          .filter((r) => !reasons.includes(r)),
        async (reason) => {
          const error = await flowError(flow.decommission(MANUFACTURER, { epcs: [urn('S1')], reason }));
          expect([error.field, error.rule]).toEqual(['reason', 'cbv-disposition']);
        },
      ),
      { numRuns: 100 },
    );
    expect(store.events.size).toBe(0);
  });

  it('refuses to decommission no EPCs', async () => {
    const { flow } = setup();
    const error = await flowError(flow.decommission(MANUFACTURER, { epcs: [] }));
    expect([error.field, error.rule]).toEqual(['epcs', 'non-empty']);
  });

  it('is refused as a conflict on a pack already out of the supply chain', async () => {
    const { flow, store } = setup();
    await flow.commission(MANUFACTURER, commissionInput(['S1']));
    await flow.decommission(MANUFACTURER, { epcs: [urn('S1')], reason: 'damaged' });
    const error = await flow.decommission(MANUFACTURER, { epcs: [urn('S1')], reason: 'stolen' }).catch((e) => e);
    expect(error.code).toBe(CaptureErrorCode.CAPTURE_CONFLICT);
    expect(error.issues[0]).toMatchObject({ field: '/epcList/0', rule: 'PACK_INACTIVE' });
    expect(store.events.size).toBe(2);
  });
});

describe('results', () => {
  it('answers the hash of each event written, and a repeated operation at the same instant as a duplicate', async () => {
    // A clock that stands still: the same input then builds the very same event.
    const { flow, store } = setup([MANUFACTURER], { stillClock: true });
    const first = await flow.commission(MANUFACTURER, commissionInput(['S1']));
    const again = await flow.commission(MANUFACTURER, commissionInput(['S1']));
    expect(again).toMatchObject({ capturedCount: 0, duplicateCount: 1, eventHashes: first.eventHashes });
    expect(store.events.size).toBe(1);
  });
});
