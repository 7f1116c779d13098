import { CaseCategory, CaseRefusal, CaseResolution, CaseState, decideCaseAction } from './exception-case';
import {
  buildEuNcaNotification,
  buildFda3911,
  fda3911Lines,
  IllegitimateClassification,
  ndcFromGtin,
  RegulatorNotificationInput,
} from './regulator-notification';

const US_GTIN = '00312345678906'; // '003' + NDC 1234567890 + check digit
const EU_GTIN = '04150123456782';

const input = (over: Partial<RegulatorNotificationInput> = {}): RegulatorNotificationInput => ({
  case: {
    id: 'c-1',
    number: 7,
    category: CaseCategory.PACKAGING_OR_LABELLING,
    summary: 'Labels look wrong',
    openedAt: new Date('2026-12-01T08:00:00Z'),
    resolvedAt: new Date('2026-12-02T09:30:00Z'),
    history: [
      { at: new Date('2026-12-01T08:00:00Z'), actor: 'Corner Pharmacy', action: 'OPEN', message: 'Labels look wrong' },
      { at: new Date('2026-12-02T09:30:00Z'), actor: 'Agency', action: 'RESOLVE ILLEGITIMATE', message: 'Counterfeit confirmed' },
    ],
    filings: [],
  },
  reporter: { name: 'Corner Pharmacy', gln: '0614141000036', role: 'DISPENSER', address: null, owner: null },
  packs: [
    { epc: 'p2', gtin: US_GTIN, serial: 'S2', lot: 'L1', expiry: '2028-06-30' },
    { epc: 'p1', gtin: US_GTIN, serial: 'S1', lot: 'L1', expiry: '2028-06-30' },
    { epc: 'p3', gtin: US_GTIN, serial: 'S3', lot: 'L2', expiry: '2028-07-31' },
    { epc: 'p4', gtin: EU_GTIN, serial: 'E1', lot: 'B9', expiry: null },
    { epc: 'urn:unknown', gtin: null, serial: null, lot: null, expiry: null },
  ],
  products: [
    {
      gtin: US_GTIN,
      name: 'Examplamab',
      strength: '50 mg',
      dosageForm: 'TABLET',
      manufacturer: { name: 'ACME Pharma', gln: '0614141000012' },
    },
  ],
  partnersNotified: ['Wholesale Ltd'],
  ...over,
});

describe('ndcFromGtin', () => {
  it("reads the NDC-10 of a US GTIN (indicator, '03', ten digits, check digit), and none of another", () => {
    expect(ndcFromGtin(US_GTIN)).toBe('1234567890');
    expect(ndcFromGtin('50312345678901')).toBe('1234567890');
    expect(ndcFromGtin(EU_GTIN)).toBeNull();
    expect(ndcFromGtin('90312345678909')).toBeNull();
    expect(ndcFromGtin('0031234567890')).toBeNull();
  });
});

describe('buildFda3911', () => {
  it('fills the form from the case: product, NDC, lots, serials, expiries, quantity, company, determination', () => {
    const form = buildFda3911(input());
    expect(form).toMatchObject({
      notificationOf: 'ILLEGITIMATE_PRODUCT',
      notificationType: 'INITIAL',
      incidentNumber: null,
      dateOfDetermination: '2026-12-02',
      classification: { value: IllegitimateClassification.COUNTERFEIT, suggestedFrom: CaseCategory.PACKAGING_OR_LABELLING },
      company: { name: 'Corner Pharmacy', category: 'DISPENSER', uniqueFacilityIdentifier: { scheme: 'GLN', value: '0614141000036' } },
      otherTradingPartnersNotified: ['Wholesale Ltd'],
      case: { id: 'c-1', number: 7 },
    });
    expect(form.product.items).toEqual([
      {
        nameOnLabel: 'Examplamab',
        gtin: US_GTIN,
        ndc: '1234567890',
        strength: '50 mg',
        dosageForm: 'TABLET',
        manufacturer: 'ACME Pharma',
        lotNumbers: ['L1', 'L2'],
        expirationDates: ['2028-06-30', '2028-07-31'],
        serialNumbers: ['S1', 'S2', 'S3'],
        quantity: 3,
      },
      {
        nameOnLabel: null,
        gtin: EU_GTIN,
        ndc: null,
        strength: null,
        dosageForm: null,
        manufacturer: null,
        lotNumbers: ['B9'],
        expirationDates: [],
        serialNumbers: ['E1'],
        quantity: 1,
      },
    ]);
    expect(form.product).toMatchObject({ unidentifiedPacks: ['urn:unknown'], quantityTotal: 5 });
    expect(form.description).toContain('Counterfeit confirmed');
    // No owner named on the reporter's side: the whole contact is to complete, none of it invented.
    expect(form.company.contact).toEqual({ name: null, title: null, phone: null, email: null });
    expect(form.toConfirm).toEqual([
      'classification.value',
      'company.contact.name',
      'company.contact.title',
      'company.contact.phone',
      'company.contact.email',
      'company.address',
      'product.items.0.ndc',
      'product.items.1.ndc',
      'product.items.1.nameOnLabel',
    ]);
  });

  it("fills the contact from the reporter's owner of the case and the address from its location, listing what neither gave", () => {
    const form = buildFda3911(
      input({
        reporter: {
          ...input().reporter,
          owner: { name: 'Dana Reyes', title: 'Pharmacist in charge', email: 'dana@corner.example' },
          address: { street: '1 Main Street', city: 'Springfield', state: null, postalCode: '12345', countryCode: 'US' },
        },
      }),
    );
    expect(form.company.contact).toEqual({ name: 'Dana Reyes', title: 'Pharmacist in charge', phone: null, email: 'dana@corner.example' });
    expect(form.company.address).toEqual({
      street: '1 Main Street',
      city: 'Springfield',
      state: null,
      postalCode: '12345',
      countryCode: 'US',
    });
    expect(form.toConfirm.filter((f) => f.startsWith('company.'))).toEqual(['company.contact.phone', 'company.address.state']);
    const printed = fda3911Lines(form).flatMap((b) => b.fields);
    expect(printed).toContainEqual(['Contact name', 'Dana Reyes']);
    expect(printed).toContainEqual(['Contact title', 'Pharmacist in charge']);
    expect(printed).toContainEqual(['Contact phone', '(to complete)']);
    expect(printed).toContainEqual(['Contact e-mail', 'dana@corner.example']);
    expect(printed).toContainEqual(['Address', '1 Main Street, 12345, Springfield, US']);
  });

  it('is a follow-up once a filing is recorded, carrying its incident number; a category without a suggestion leaves the classification empty', () => {
    const filed = input({
      case: {
        ...input().case,
        category: CaseCategory.SUSPECT_PRODUCT,
        filings: [{ at: new Date('2026-12-02T12:00:00Z'), message: 'IN-2026-0042' }],
      },
    });
    expect(buildFda3911(filed)).toMatchObject({
      notificationType: 'FOLLOW_UP',
      incidentNumber: 'IN-2026-0042',
      dateOfInitialNotification: '2026-12-02',
      classification: { value: null },
    });
    expect(buildFda3911(filed, 'REQUEST_FOR_TERMINATION').notificationType).toBe('REQUEST_FOR_TERMINATION');
    expect(buildFda3911(input(), 'FOLLOW_UP').toConfirm).toContain('incidentNumber');
  });

  it('prints every value it filled', () => {
    const lines = fda3911Lines(buildFda3911(input())).flatMap((b) => [b.heading, ...b.fields.flat()]);
    for (const value of [
      'Examplamab',
      '1234567890',
      'L1, L2',
      'S1, S2, S3',
      '2028-06-30, 2028-07-31',
      '3 saleable unit(s)',
      'Corner Pharmacy',
      '2026-12-02',
    ])
      expect(lines).toContain(value);
  });
});

describe('buildEuNcaNotification', () => {
  it('lists the alerts, product codes, batches with expiry and serials, the MAH and the reporter', () => {
    const n = buildEuNcaNotification(input(), ['A-2', 'A-1']);
    expect(n).toMatchObject({
      determination: 'FALSIFIED_OR_ILLEGITIMATE',
      determinedAt: '2026-12-02T09:30:00.000Z',
      alertIds: ['A-1', 'A-2'],
      reportingOrganization: { name: 'Corner Pharmacy', gln: '0614141000036' },
      unidentifiedPacks: ['urn:unknown'],
    });
    expect(n.products[0]).toEqual({
      productCode: { scheme: 'GTIN', value: US_GTIN },
      name: 'Examplamab',
      strength: '50 mg',
      dosageForm: 'TABLET',
      batches: [
        { batch: 'L1', expiry: '2028-06-30', serialNumbers: ['S1', 'S2'] },
        { batch: 'L2', expiry: '2028-07-31', serialNumbers: ['S3'] },
      ],
      marketingAuthorisationHolder: { name: 'ACME Pharma', gln: '0614141000012' },
    });
  });
});

describe('RECORD_FILING', () => {
  const view = (state: CaseState, resolution: CaseResolution | null) => ({
    reporterId: 'pharmacy',
    counterpartyId: 'wholesaler',
    state,
    resolution,
    category: CaseCategory.SUSPECT_PRODUCT,
  });
  const filing = { kind: 'RECORD_FILING' } as const;

  it('is recorded by the reporter or a regulator on an illegitimate case, changing nothing else', () => {
    const illegitimate = view(CaseState.RESOLVED, CaseResolution.ILLEGITIMATE);
    for (const role of ['REPORTER', 'REGULATOR'] as const)
      expect(decideCaseAction(illegitimate, filing, role)).toEqual({
        ok: true,
        state: CaseState.RESOLVED,
        resolution: CaseResolution.ILLEGITIMATE,
        effects: { quarantine: 'unchanged', notifyRegulator: false, notifyPartners: false },
      });
    expect(decideCaseAction(illegitimate, filing, 'COUNTERPARTY')).toEqual({ ok: false, refusal: CaseRefusal.REPORTER_OR_REGULATOR });
    expect(decideCaseAction(illegitimate, filing, 'OUTSIDER')).toEqual({ ok: false, refusal: CaseRefusal.NOT_A_PARTY });
  });

  it('is refused on any other case', () => {
    expect(decideCaseAction(view(CaseState.RESOLVED, CaseResolution.CLEARED), filing, 'REGULATOR')).toEqual({
      ok: false,
      refusal: CaseRefusal.WRONG_STATE,
    });
    expect(decideCaseAction(view(CaseState.ESCALATED, null), filing, 'REPORTER')).toEqual({ ok: false, refusal: CaseRefusal.WRONG_STATE });
  });
});
