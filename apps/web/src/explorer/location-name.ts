import { gs1CheckDigit } from '../../../../libs/gs1/src/browser';
import type { Organization, Provenance, ProvenanceEvent } from './explorer.queries';

/** A GS1 location: a GLN and, for a place inside it (a warehouse, a dock), its extension (AI 254). */
export interface GlnLocation {
  gln: string;
  site?: string;
}

const SGLN_URN = /^urn:epc:id:sgln:(\d+)\.(\d*)\.(.+)$/;
const GLN_LINK = /^https?:\/\/[^/]+\/414\/(\d{13})(?:\/254\/([^/?#]+))?/;

/** The GLN (and site) of an SGLN URN or a GS1 Digital Link with AI 414; null for anything else. */
export function parseLocation(location: string): GlnLocation | null {
  const urn = SGLN_URN.exec(location);
  if (urn && urn[1].length + urn[2].length === 12) {
    const base = urn[1] + urn[2];
    const site = decodeURIComponent(urn[3]);
    return { gln: `${base}${gs1CheckDigit(base)}`, ...(site === '0' ? {} : { site }) };
  }
  const link = GLN_LINK.exec(location);
  if (link) return { gln: link[1], ...(link[2] ? { site: decodeURIComponent(link[2]) } : {}) };
  return null;
}

/** Where the event happened, as captured: its business location, else where it was read. */
export function placeOf(e: ProvenanceEvent): string | undefined {
  const id = (where: unknown) =>
    where && typeof where === 'object' && typeof (where as { id?: unknown }).id === 'string' ? (where as { id: string }).id : undefined;
  return id(e.event.bizLocation) ?? id(e.event.readPoint);
}

/**
 * Every GLN a pack's provenance names a place or an addressee by: the explorer asks the directory for these alone, not
 * for the whole registry (tens of thousands of organizations at national scale).
 */
export function glnsNamed(p: Provenance): string[] {
  const glns = new Set<string>();
  const add = (location: string | null | undefined) => {
    const place = location ? parseLocation(location) : null;
    if (place) glns.add(place.gln);
  };
  for (const c of p.custody) {
    add(c.location);
    if (c.destinationGln) glns.add(c.destinationGln);
  }
  for (const e of p.events) add(placeOf(e));
  return [...glns];
}

/** Registered organizations by GLN: the directory the explorer names places from. */
export type Directory = ReadonlyMap<string, Organization>;

export const directoryOf = (organizations: readonly Organization[]): Directory => new Map(organizations.map((o) => [o.gln, o]));

/**
 * A place as a regulator says it: "Wholesale Ltd, site WH-2" rather than urn:epc:id:sgln:9506000.00003.WH-2. A GLN
 * no organization registered is named through `holder` when the holder is known to be there ("Wholesale Ltd,
 * location GLN …"); the GLN stays visible, since it is what the regulator can look up.
 */
export function locationName(location: string, directory: Directory, holder?: Organization | null): string {
  const place = parseLocation(location);
  if (!place) return location;
  const site = place.site ? `, site ${place.site}` : '';
  const owner = directory.get(place.gln);
  if (owner) return `${owner.name}${site}`;
  return holder ? `${holder.name}, location GLN ${place.gln}${site}` : `GLN ${place.gln}${site}`;
}

/** Where a shipment is addressed: the organization registered under that GLN, or the GLN itself. */
export function destinationName(gln: string, directory: Directory): string {
  const owner = directory.get(gln);
  return owner ? `${owner.name} (GLN ${gln})` : `GLN ${gln}`;
}
