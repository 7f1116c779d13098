import { canonicalAttributeId } from '@pharmatrace/epcis';
import type { MasterDataCriteria, MasterDataField } from '@pharmatrace/persistence';
import { EventQueryError, EventQueryErrorCode } from './event-query.error';

/**
 * The query parameters that read master data (EPCIS 2.0 §8.2.7.1): `EQ_ATTR_<field>_<attribute>` (the element the
 * field names has that attribute with one of the values), `HASATTR_<field>` (it has one of the attributes named),
 * `WD_readPoint` / `WD_bizLocation` (the location or any descendant by the stored hierarchy).
 */
const FAMILY = /^(EQ_ATTR|HASATTR|WD)_/;
const FIELDS: readonly MasterDataField[] = ['readPoint', 'bizLocation', 'epcClass'];

export const isMasterDataParameter = (name: string): boolean => FAMILY.test(name);

function invalid(parameter: string, rule: string, message: string): EventQueryError {
  return new EventQueryError(EventQueryErrorCode.INVALID_QUERY_PARAMETER, `${parameter}: ${message}`, { parameter, rule });
}

/** An attribute as stored: the EPCIS context's `cbvmda:` prefix expanded, the CBV namespace in its one spelling. */
const attributeId = (name: string): string =>
  canonicalAttributeId(name.startsWith('cbvmda:') ? `urn:epcglobal:cbv:mda#${name.slice(7)}` : name);

/**
 * The master-data criteria of already split parameter values (`params` as parseEventQuery reads them); `spellings`
 * gives every way a location may have been written. Undefined when the query has none.
 */
export function masterDataCriteria(
  params: Record<string, string[]>,
  spellings: (location: string) => string[],
): MasterDataCriteria | undefined {
  const criteria: Required<Omit<MasterDataCriteria, 'publishers'>> = { attributes: [], within: [] };
  for (const [name, values] of Object.entries(params)) {
    if (!isMasterDataParameter(name)) continue;
    if (name === 'WD_readPoint' || name === 'WD_bizLocation') {
      criteria.within.push({
        field: name === 'WD_readPoint' ? 'readPoint' : 'bizLocation',
        spellings: [...new Set(values.flatMap(spellings))],
      });
      continue;
    }
    const has = /^HASATTR_(.+)$/.exec(name);
    if (has) {
      criteria.attributes.push({ field: fieldOf(name, has[1]), attributes: values.map(attributeId), values: null });
      continue;
    }
    const eq = /^EQ_ATTR_([A-Za-z]+)_(.+)$/.exec(name);
    if (!eq) {
      throw invalid(
        name,
        'supported-parameter',
        'master-data parameters are EQ_ATTR_<field>_<attribute>, HASATTR_<field> (field: readPoint, bizLocation or epcClass), WD_readPoint and WD_bizLocation',
      );
    }
    criteria.attributes.push({ field: fieldOf(name, eq[1]), attributes: [attributeId(eq[2])], values });
  }
  return criteria.attributes.length || criteria.within.length ? criteria : undefined;
}

function fieldOf(parameter: string, field: string): MasterDataField {
  if (!(FIELDS as readonly string[]).includes(field)) {
    throw invalid(
      parameter,
      'master-data-field',
      `"${field}" names no field with master data here: use readPoint, bizLocation or epcClass`,
    );
  }
  return field as MasterDataField;
}
