import type { UnitScale } from '@pharmatrace/persistence';

/**
 * UN/ECE Recommendation 20 unit codes a measure may be asked for in another unit of its dimension (GE_value_KEL
 * matches a report in CEL): each a linear map to the dimension's base unit. The bases are chosen so every factor and
 * offset is an exact decimal (temperature in degrees Rankine: K × 1.8, °C × 1.8 + 491.67, °F + 459.67), so a
 * conversion never rounds. A unit not listed matches only reports written in that very unit.
 */
const DIMENSIONS: Record<string, Record<string, [factor: string, offset: string]>> = {
  temperature: { KEL: ['1.8', '0'], CEL: ['1.8', '491.67'], FAH: ['1', '459.67'] },
  mass: {
    TNE: ['1000000', '0'],
    KGM: ['1000', '0'],
    GRM: ['1', '0'],
    MGM: ['0.001', '0'],
    MC: ['0.000001', '0'],
    LBR: ['453.59237', '0'],
    ONZ: ['28.349523125', '0'],
  },
  volume: { MTQ: ['1000000', '0'], LTR: ['1000', '0'], MLT: ['1', '0'], CMQ: ['1', '0'] },
  length: { KMT: ['1000000', '0'], MTR: ['1000', '0'], CMT: ['10', '0'], MMT: ['1', '0'], INH: ['25.4', '0'], FOT: ['304.8', '0'] },
  time: { DAY: ['86400', '0'], HUR: ['3600', '0'], MIN: ['60', '0'], SEC: ['1', '0'] },
  pressure: { BAR: ['100000', '0'], KPA: ['1000', '0'], A97: ['100', '0'], MBR: ['100', '0'], PAL: ['1', '0'] },
};

export const UOM = /^[A-Z0-9]{2,4}$/;

/** The unit asked for, and every unit a measure may be written in to compare with it. */
export function unitScales(uom: string): { unit: UnitScale; units: UnitScale[] } {
  for (const units of Object.values(DIMENSIONS)) {
    if (units[uom]) {
      const scales = Object.entries(units).map(([code, [factor, offset]]) => ({ uom: code, factor, offset }));
      return { unit: scales.find((s) => s.uom === uom)!, units: scales };
    }
  }
  const unit = { uom, factor: '1', offset: '0' };
  return { unit, units: [unit] };
}
