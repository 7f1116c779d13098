import type { Comparison, EventCriteria, MeasureCriterion } from '@pharmatrace/persistence';
import { UOM, unitScales } from './measure-units';
import { invalid, numberValue, QueryFamily, QueryParams, single } from './query-values';

const NAMES = ['EQ_quantity', 'GT_quantity', 'GE_quantity', 'LT_quantity', 'LE_quantity'];
const PATTERN = /^(EQ|GT|GE|LT|LE)_quantity_(.*)$/;

/**
 * The quantity of a quantity element of any list (quantityList, childQuantityList, inputQuantityList,
 * outputQuantityList): `GE_quantity=10` in whatever unit, `GE_quantity_KGM=10` in kilograms or a unit converting to
 * them (measure-units.ts).
 */
export const quantityFamily: QueryFamily = {
  accepts: (name) => NAMES.includes(name) || PATTERN.test(name),
  described: [...NAMES, 'EQ_/GT_/GE_/LT_/LE_quantity_<uom>'],
  singleValued: () => true,
  mayBeEmpty: () => false,
  criteria(params: QueryParams): EventCriteria {
    const measures: MeasureCriterion[] = [];
    for (const name of Object.keys(params)) {
      const fixed = NAMES.includes(name);
      const match = fixed ? null : PATTERN.exec(name);
      if (!fixed && !match) continue;
      const op = name.slice(0, 2) as Comparison;
      const value = numberValue(name, single(params, name)!);
      if (fixed) {
        measures.push({ of: 'quantity', field: 'quantity', op, value });
        continue;
      }
      const uom = match![2];
      if (!UOM.test(uom)) throw invalid(name, 'uom', `"${uom}" is not a UN/ECE Rec 20 unit code (2 to 4 capitals or digits, e.g. KGM)`);
      measures.push({ of: 'quantity', field: 'quantity', op, value, ...unitScales(uom) });
    }
    return measures.length ? { measures } : {};
  },
};
