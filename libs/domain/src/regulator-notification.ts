/**
 * Regulator notifications for a case resolved as illegitimate (issue 17): a prefilled Form FDA 3911 ("Drug
 * Notification", the DSCSA notification of illegitimate product, FD&C Act 582) and an EU national-authority
 * notification (an alert escalated by the marketing authorisation holder to the national competent authority under the
 * Falsified Medicines Directive). Both are built here as data from what the case and the platform know; whatever the
 * platform cannot know (the classification until the reporter confirms it, a contact the reporter's owner of the case
 * did not give, the NDC's segmentation) is left empty and listed in `toConfirm`, never guessed silently. The forms are prefilled copies: the filing itself is
 * made by the reporter on the regulator's portal, then recorded on the case (RECORD_FILING).
 */
import { CaseCategory, type CaseOwner } from './exception-case';

/** Form FDA 3911, section "Type of notification". */
export type Fda3911NotificationType = 'INITIAL' | 'FOLLOW_UP' | 'REQUEST_FOR_TERMINATION';

/** Form FDA 3911, "Classification of notification" (DSCSA's kinds of illegitimate product). */
export enum IllegitimateClassification {
  COUNTERFEIT = 'COUNTERFEIT',
  DIVERTED = 'DIVERTED',
  STOLEN = 'STOLEN',
  INTENTIONAL_ADULTERATION = 'INTENTIONAL_ADULTERATION',
  UNFIT_FOR_DISTRIBUTION = 'UNFIT_FOR_DISTRIBUTION',
  FRAUDULENT_TRANSACTION = 'FRAUDULENT_TRANSACTION',
}

/**
 * What a case's category suggests the classification is. A suggestion only: the category says what was observed, not
 * what the product turned out to be, so the reporter confirms it (it stays in `toConfirm`). Categories that suggest
 * nothing leave it empty.
 */
const SUGGESTED_CLASSIFICATION: Record<CaseCategory, IllegitimateClassification | null> = {
  // Packaging or labelling that is not the manufacturer's is the usual sign of a counterfeit.
  [CaseCategory.PACKAGING_OR_LABELLING]: IllegitimateClassification.COUNTERFEIT,
  // Product that arrived with no transaction data came from outside the documented chain.
  [CaseCategory.PRODUCT_WITHOUT_DATA]: IllegitimateClassification.DIVERTED,
  // Data for product that never arrived: product lost in transit.
  [CaseCategory.DATA_WITHOUT_PRODUCT]: IllegitimateClassification.STOLEN,
  [CaseCategory.UNAVAILABLE_FOR_DISTRIBUTION]: IllegitimateClassification.UNFIT_FOR_DISTRIBUTION,
  [CaseCategory.DATA_ISSUE]: IllegitimateClassification.FRAUDULENT_TRANSACTION,
  [CaseCategory.SUSPECT_PRODUCT]: null,
  [CaseCategory.ILLEGITIMATE_PRODUCT]: null,
};

export function suggestedClassification(category: CaseCategory): IllegitimateClassification | null {
  return SUGGESTED_CLASSIFICATION[category];
}

/**
 * The NDC a US GTIN carries. A US drug's GTIN-12 is the UPC `3` + NDC-10 + check digit; as a GTIN-14 it is an
 * indicator digit (0 for the unit of sale, 1–8 for packaging levels), `03`, the ten NDC digits and a check digit. Any
 * other GTIN (another country's prefix) has no NDC: null. The ten digits are returned unhyphenated: whether they read
 * 4-4-2, 5-3-2 or 5-4-1 is in the FDA's NDC directory, not in the digits, so the segmentation is the reporter's to
 * confirm.
 */
export function ndcFromGtin(gtin14: string): string | null {
  if (!/^\d{14}$/.test(gtin14)) return null;
  if (gtin14[0] === '9' || gtin14.slice(1, 3) !== '03') return null;
  return gtin14.slice(3, 13);
}

/** A pack of the case as the platform knows it (pack_state), with its product's master data. */
export interface NotifiedPack {
  epc: string;
  gtin: string | null;
  serial: string | null;
  lot: string | null;
  /** YYYY-MM-DD. */
  expiry: string | null;
}

export interface NotifiedProduct {
  gtin: string;
  /** Name as on the label, strength, dosage form: the manufacturer's master data, null where it published none. */
  name: string | null;
  strength: string | null;
  dosageForm: string | null;
  /** The manufacturer (marketing authorisation holder in the EU) that commissioned the packs, if registered. */
  manufacturer: { name: string; gln: string } | null;
}

export interface NotifyingOrganization {
  name: string;
  gln: string;
  role: string;
  /** From the organization's own location master data, where it published it. */
  address: {
    street: string | null;
    city: string | null;
    /** CBV `state`: the state or region (a US address needs it). */
    state: string | null;
    postalCode: string | null;
    countryCode: string | null;
  } | null;
  /** The person who owns the case on the reporter's side, as the reporter named it (ASSIGN_OWNER); null until it does. */
  owner: CaseOwner | null;
}

export interface NotifiedCase {
  id: string;
  number: number;
  category: CaseCategory;
  summary: string;
  openedAt: Date;
  /** The illegitimate resolution: the date of determination. */
  resolvedAt: Date;
  history: { at: Date; actor: string; action: string; message: string | null }[];
  /** Filings already recorded on the case, oldest first. */
  filings: { at: Date; message: string | null }[];
}

export interface RegulatorNotificationInput {
  case: NotifiedCase;
  reporter: NotifyingOrganization;
  packs: NotifiedPack[];
  products: NotifiedProduct[];
  /** Organizations told through the platform (partner notifications) so far. */
  partnersNotified: string[];
}

/** The FDA's company categories on Form 3911; a regulator files none. */
const COMPANY_CATEGORY: Record<string, string> = {
  MANUFACTURER: 'MANUFACTURER',
  DISTRIBUTOR: 'WHOLESALE_DISTRIBUTOR',
  DISPENSER: 'DISPENSER',
};

export interface Fda3911 {
  form: 'FDA 3911';
  /** Drug Notification: the notification of illegitimate product. */
  notificationOf: 'ILLEGITIMATE_PRODUCT';
  notificationType: Fda3911NotificationType;
  /** FDA's incident number, given on the first filing: from the recorded filing's message when there was one. */
  incidentNumber: string | null;
  dateOfInitialNotification: string | null;
  dateOfDetermination: string;
  classification: { value: IllegitimateClassification | null; suggestedFrom: CaseCategory; options: IllegitimateClassification[] };
  company: {
    name: string;
    category: string | null;
    address: NotifyingOrganization['address'];
    uniqueFacilityIdentifier: { scheme: 'GLN'; value: string };
    /** The reporter's owner of the case: each member it did not give is null and listed in `toConfirm`. */
    contact: { name: string | null; title: string | null; phone: string | null; email: string | null };
  };
  product: {
    productType: 'FINISHED_PRESCRIPTION_DRUG';
    drugUse: 'HUMAN';
    items: {
      nameOnLabel: string | null;
      gtin: string;
      ndc: string | null;
      strength: string | null;
      dosageForm: string | null;
      manufacturer: string | null;
      lotNumbers: string[];
      expirationDates: string[];
      serialNumbers: string[];
      quantity: number;
    }[];
    /** Packs of the case the platform holds no product data for (never commissioned here): listed as scanned. */
    unidentifiedPacks: string[];
    quantityTotal: number;
    unitOfQuantity: 'SALEABLE_UNITS';
  };
  description: string;
  otherTradingPartnersNotified: string[];
  case: { id: string; number: number; openedAt: string };
  /** Fields a person must complete or confirm before filing (JSON paths into this object). */
  toConfirm: string[];
}

const day = (d: Date) => d.toISOString().slice(0, 10);
const sorted = (values: (string | null)[]) => [...new Set(values.filter((v): v is string => !!v))].sort();

/** The case's packs grouped by product (GTIN), each with its lots, expiries and serials. */
function byProduct(input: RegulatorNotificationInput) {
  const products = new Map(input.products.map((p) => [p.gtin, p]));
  const groups = new Map<string, NotifiedPack[]>();
  const unidentified: string[] = [];
  for (const pack of input.packs) {
    if (!pack.gtin) {
      unidentified.push(pack.epc);
      continue;
    }
    groups.set(pack.gtin, [...(groups.get(pack.gtin) ?? []), pack]);
  }
  const items = [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([gtin, packs]) => {
      const product = products.get(gtin);
      return {
        gtin,
        product,
        lots: sorted(packs.map((p) => p.lot)),
        expiries: sorted(packs.map((p) => p.expiry)),
        serials: sorted(packs.map((p) => p.serial)),
        quantity: packs.length,
      };
    });
  return { items, unidentified: unidentified.sort() };
}

/** The case's history as a narrative, oldest first: what the regulator reads as the description of the event. */
function narrative(c: NotifiedCase): string {
  const lines = [`Case ${c.number} (${c.category}): ${c.summary}`];
  for (const e of c.history) lines.push(`${e.at.toISOString()} ${e.actor} ${e.action}${e.message ? `: ${e.message}` : ''}`);
  return lines.join('\n');
}

export function buildFda3911(input: RegulatorNotificationInput, requested?: Fda3911NotificationType): Fda3911 {
  const c = input.case;
  const first = c.filings[0];
  const notificationType = requested ?? (first ? 'FOLLOW_UP' : 'INITIAL');
  const suggested = suggestedClassification(c.category);
  const { items, unidentified } = byProduct(input);
  const owner = input.reporter.owner;
  const contact = { name: owner?.name ?? null, title: owner?.title ?? null, phone: owner?.phone ?? null, email: owner?.email ?? null };
  const toConfirm = ['classification.value'];
  for (const [field, value] of Object.entries(contact)) if (value === null) toConfirm.push(`company.contact.${field}`);
  const address = input.reporter.address;
  if (!address) toConfirm.push('company.address');
  else for (const [field, value] of Object.entries(address)) if (value === null) toConfirm.push(`company.address.${field}`);
  if (notificationType !== 'INITIAL' && !first?.message) toConfirm.push('incidentNumber');
  const product = {
    productType: 'FINISHED_PRESCRIPTION_DRUG' as const,
    drugUse: 'HUMAN' as const,
    items: items.map((i, n) => {
      const ndc = ndcFromGtin(i.gtin);
      // The NDC's segmentation is always the reporter's to check; a name missing from master data must be typed in.
      toConfirm.push(`product.items.${n}.ndc`);
      if (!i.product?.name) toConfirm.push(`product.items.${n}.nameOnLabel`);
      return {
        nameOnLabel: i.product?.name ?? null,
        gtin: i.gtin,
        ndc,
        strength: i.product?.strength ?? null,
        dosageForm: i.product?.dosageForm ?? null,
        manufacturer: i.product?.manufacturer?.name ?? null,
        lotNumbers: i.lots,
        expirationDates: i.expiries,
        serialNumbers: i.serials,
        quantity: i.quantity,
      };
    }),
    unidentifiedPacks: unidentified,
    quantityTotal: input.packs.length,
    unitOfQuantity: 'SALEABLE_UNITS' as const,
  };
  return {
    form: 'FDA 3911',
    notificationOf: 'ILLEGITIMATE_PRODUCT',
    notificationType,
    incidentNumber: notificationType === 'INITIAL' ? null : (first?.message ?? null),
    dateOfInitialNotification: first ? day(first.at) : null,
    dateOfDetermination: day(c.resolvedAt),
    classification: { value: suggested, suggestedFrom: c.category, options: Object.values(IllegitimateClassification) },
    company: {
      name: input.reporter.name,
      category: COMPANY_CATEGORY[input.reporter.role] ?? null,
      address: input.reporter.address,
      uniqueFacilityIdentifier: { scheme: 'GLN', value: input.reporter.gln },
      contact,
    },
    product,
    description: narrative(c),
    otherTradingPartnersNotified: [...input.partnersNotified].sort(),
    case: { id: c.id, number: c.number, openedAt: c.openedAt.toISOString() },
    toConfirm,
  };
}

/**
 * An EU national competent authority notification: the alert escalated by the marketing authorisation holder after
 * investigation (FMD, Delegated Regulation (EU) 2016/161 art. 37(d)), with the fields EMVS alert management carries:
 * the alerts, the product code and batch, expiry and serial numbers, the MAH, the reporting organization and the
 * determination.
 */
export interface EuNcaNotification {
  kind: 'EU_NCA_NOTIFICATION';
  determination: 'FALSIFIED_OR_ILLEGITIMATE';
  determinedAt: string;
  suggestedClassification: IllegitimateClassification | null;
  /** Alert references the case came from (EMVS alert ids are the case's source reference when opened from an alert). */
  alertIds: string[];
  products: {
    productCode: { scheme: 'GTIN'; value: string };
    name: string | null;
    strength: string | null;
    dosageForm: string | null;
    batches: { batch: string | null; expiry: string | null; serialNumbers: string[] }[];
    marketingAuthorisationHolder: { name: string; gln: string } | null;
  }[];
  unidentifiedPacks: string[];
  reportingOrganization: { name: string; gln: string; role: string; address: NotifyingOrganization['address'] };
  case: { id: string; number: number; category: CaseCategory; summary: string; openedAt: string };
  narrative: string;
}

export function buildEuNcaNotification(input: RegulatorNotificationInput, alertIds: string[]): EuNcaNotification {
  const c = input.case;
  const { items, unidentified } = byProduct(input);
  const packsOf = (gtin: string) => input.packs.filter((p) => p.gtin === gtin);
  return {
    kind: 'EU_NCA_NOTIFICATION',
    determination: 'FALSIFIED_OR_ILLEGITIMATE',
    determinedAt: c.resolvedAt.toISOString(),
    suggestedClassification: suggestedClassification(c.category),
    alertIds: [...alertIds].sort(),
    products: items.map((i) => {
      const batches = new Map<string, NotifiedPack[]>();
      for (const p of packsOf(i.gtin)) {
        const key = `${p.lot ?? ''}\u0000${p.expiry ?? ''}`;
        batches.set(key, [...(batches.get(key) ?? []), p]);
      }
      return {
        productCode: { scheme: 'GTIN' as const, value: i.gtin },
        name: i.product?.name ?? null,
        strength: i.product?.strength ?? null,
        dosageForm: i.product?.dosageForm ?? null,
        batches: [...batches.values()]
          .map((ps) => ({ batch: ps[0].lot, expiry: ps[0].expiry, serialNumbers: sorted(ps.map((p) => p.serial)) }))
          .sort((a, b) => (a.batch ?? '').localeCompare(b.batch ?? '') || (a.expiry ?? '').localeCompare(b.expiry ?? '')),
        marketingAuthorisationHolder: i.product?.manufacturer ?? null,
      };
    }),
    unidentifiedPacks: unidentified,
    reportingOrganization: {
      name: input.reporter.name,
      gln: input.reporter.gln,
      role: input.reporter.role,
      address: input.reporter.address,
    },
    case: { id: c.id, number: c.number, category: c.category, summary: c.summary, openedAt: c.openedAt.toISOString() },
    narrative: narrative(c),
  };
}

/** The form's fields as printed: section title, then label and value lines (the PDF's content, in order). */
export function fda3911Lines(form: Fda3911): { heading: string; fields: [string, string][] }[] {
  const v = (value: string | number | null | undefined) =>
    value === null || value === undefined || value === '' ? '(to complete)' : String(value);
  const list = (values: string[]) => (values.length ? values.join(', ') : '(none)');
  const address = form.company.address;
  return [
    {
      heading: 'Form FDA 3911 - Drug Notification (prefilled by pharmatrace; file on the FDA portal)',
      fields: [
        ['Notification of', 'Illegitimate product'],
        ['Type of notification', form.notificationType],
        ['FDA incident number', v(form.incidentNumber)],
        ['Date of initial notification', v(form.dateOfInitialNotification)],
        ['Date of determination', form.dateOfDetermination],
        ['Classification (to confirm)', v(form.classification.value)],
      ],
    },
    {
      heading: 'Company',
      fields: [
        ['Company name', form.company.name],
        ['Company category', v(form.company.category)],
        [
          'Address',
          address
            ? [address.street, address.postalCode, address.city, address.state, address.countryCode].filter(Boolean).join(', ') ||
              '(to complete)'
            : '(to complete)',
        ],
        ['Unique facility identifier (GLN)', form.company.uniqueFacilityIdentifier.value],
        ['Contact name', v(form.company.contact.name)],
        ['Contact title', v(form.company.contact.title)],
        ['Contact phone', v(form.company.contact.phone)],
        ['Contact e-mail', v(form.company.contact.email)],
      ],
    },
    ...form.product.items.map((item, n) => ({
      heading: `Product ${n + 1}`,
      fields: [
        ['Product type', 'Finished prescription drug (human)'],
        ['Name of product as it appears on the label', v(item.nameOnLabel)],
        ['NDC (10 digits, segmentation to confirm)', v(item.ndc)],
        ['GTIN', item.gtin],
        ['Strength', v(item.strength)],
        ['Dosage form', v(item.dosageForm)],
        ['Manufacturer', v(item.manufacturer)],
        ['Lot number(s)', list(item.lotNumbers)],
        ['Expiration date(s)', list(item.expirationDates)],
        ['Serial number(s)', list(item.serialNumbers)],
        ['Quantity', `${item.quantity} saleable unit(s)`],
      ] as [string, string][],
    })),
    {
      heading: 'Notification',
      fields: [
        ['Total quantity', `${form.product.quantityTotal} saleable unit(s)`],
        ['Packs without product data', list(form.product.unidentifiedPacks)],
        ['Other trading partners notified', list(form.otherTradingPartnersNotified)],
        ['Case', `${form.case.number} (${form.case.id}), opened ${form.case.openedAt}`],
        ['Description', form.description],
      ],
    },
  ];
}
