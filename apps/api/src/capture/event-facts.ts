import type { EventFacts } from '@pharmatrace/domain';
import { cbvShortName } from '@pharmatrace/domain';
import { Gs1Error, parseEpc } from '@pharmatrace/gs1';

/**
 * An event as the EPCIS 2.0 JSON Schema let it through: the fields the capture rules read, typed as far as the schema
 * fixes them. ILMD and extensions are the capturer's own; the rules check the type of whatever they read there.
 */
export interface ValidatedEvent {
  type: string;
  action?: string;
  bizStep?: string;
  disposition?: string;
  readPoint?: unknown;
  bizLocation?: unknown;
  ilmd?: Record<string, unknown>;
  destinationList?: { type: string; destination: string }[];
  errorDeclaration?: { declarationTime?: unknown; reason?: unknown; correctiveEventIDs?: unknown };
  [field: string]: unknown;
}

/** ILMD keys arrive prefixed by whatever the document's context calls the CBV master-data namespace. */
export function ilmdKey(ilmd: Record<string, unknown> | undefined, name: string): string | null {
  if (!ilmd || typeof ilmd !== 'object') return null;
  return Object.keys(ilmd).find((key) => key === name || key.endsWith(`:${name}`)) ?? null;
}

function ilmdValue(ilmd: Record<string, unknown> | undefined, name: string): string | null {
  const key = ilmdKey(ilmd, name);
  const value = key === null ? undefined : ilmd![key];
  return typeof value === 'string' ? value : null;
}

/** The GLN of the party (or failing that the location) a shipment is addressed to; the URI as given if it names none. */
function destinationOf(event: ValidatedEvent): string | null {
  const list = Array.isArray(event.destinationList) ? event.destinationList : [];
  const owner = list.find((d) => cbvShortName(d.type) === 'owning_party') ?? list.find((d) => cbvShortName(d.type) === 'possessing_party');
  const uri: string | undefined = (owner ?? list[0])?.destination;
  if (!uri) return null;
  try {
    const epc = parseEpc(uri);
    return epc.kind === 'pgln' || epc.kind === 'sgln' ? epc.gln : uri;
  } catch (e) {
    if (e instanceof Gs1Error) return uri;
    throw e;
  }
}

export function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  const id = value && typeof value === 'object' ? (value as { id?: unknown }).id : undefined;
  if (typeof id === 'string') return id;
  return null;
}

export function eventFacts(
  event: ValidatedEvent,
  eventTime: Date,
  capturedBy: string,
  epcs: { epc: string; role: string }[],
  identities: EventFacts['identities'],
): Omit<EventFacts, 'eventId'> {
  const expiry = ilmdValue(event.ilmd, 'itemExpirationDate');
  return {
    eventType: event.type,
    action: event.action ?? null,
    // The one normalization point: every rule, query and check downstream reads the canonical vocabulary.
    bizStep: cbvShortName(event.bizStep),
    disposition: cbvShortName(event.disposition),
    eventTime,
    capturedBy,
    bizLocation: idOf(event.bizLocation),
    epcs: epcs.filter((e) => e.role === 'epc' || e.role === 'input' || e.role === 'output').map((e) => e.epc),
    parent: epcs.find((e) => e.role === 'parent')?.epc ?? null,
    children: epcs.filter((e) => e.role === 'child').map((e) => e.epc),
    lot: ilmdValue(event.ilmd, 'lotNumber'),
    expiry: expiry && /^\d{4}-\d{2}-\d{2}$/.test(expiry) ? expiry : null,
    destination: destinationOf(event),
    identities,
  };
}
