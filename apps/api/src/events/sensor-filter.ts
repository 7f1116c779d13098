import type { Comparison, EventCriteria, MeasureCriterion, SensorAttributeCriterion, SensorTimeCriterion } from '@pharmatrace/persistence';
import { UOM, unitScales } from './measure-units';
import { dateTimeValue, invalid, numberValue, QueryFamily, QueryParams, single } from './query-values';

/** Where each attribute the binding filters on is written: sensorMetadata, sensorReport, or either (TCR-53 step 28). */
const ATTRIBUTES: Record<string, SensorAttributeCriterion['in']> = {
  type: 'report',
  deviceID: 'either',
  deviceMetadata: 'either',
  rawData: 'either',
  dataProcessingMethod: 'either',
  bizRules: 'metadata',
  microorganism: 'report',
  chemicalSubstance: 'report',
  stringValue: 'report',
  uriValue: 'report',
  hexBinaryValue: 'report',
};
const TIMES: Record<string, Pick<SensorTimeCriterion, 'attribute' | 'in' | 'op'>> = {
  GE_time: { attribute: 'time', in: 'either', op: 'GE' },
  LT_time: { attribute: 'time', in: 'either', op: 'LT' },
  GE_startTime: { attribute: 'startTime', in: 'metadata', op: 'GE' },
  LT_startTime: { attribute: 'startTime', in: 'metadata', op: 'LT' },
  GE_endTime: { attribute: 'endTime', in: 'metadata', op: 'GE' },
  LT_endTime: { attribute: 'endTime', in: 'metadata', op: 'LT' },
};
const COMPARISONS = ['EQ', 'GT', 'GE', 'LT', 'LE'];
const PERC_RANK = COMPARISONS.map((op) => `${op}_percRank`);
/** `EXISTS_sensorElementList` as the query schema spells it; `EXISTS_sensorElement` as the conformance tests (TCR-53) do. */
const EXISTS = ['EXISTS_sensorElementList', 'EXISTS_sensorElement'];
const NAMES = [...EXISTS, ...Object.keys(TIMES), ...Object.keys(ATTRIBUTES).map((a) => `EQ_${a}`), 'EQ_booleanValue', ...PERC_RANK];
const MEASURE = /^(EQ|GT|GE|LT|LE)_(value|minValue|maxValue|meanValue|sDev|percValue)(?:_(.*))?$/;
const GS1_VOC = /^(?:gs1:|https?:\/\/(?:www\.)?gs1\.org\/voc\/)([A-Za-z_]+)$/;

/** A measurement type as a bare word (`Temperature`), `gs1:Temperature` or its GS1 Web vocabulary URI; others as written. */
function typeSpellings(value: string): string[] {
  const word = /^[A-Za-z_]+$/.test(value) ? value : GS1_VOC.exec(value)?.[1];
  return word ? [word, `gs1:${word}`, `https://gs1.org/voc/${word}`] : [value];
}

/** Sensor data (EPCIS 2.0 sensorElementList): its metadata and reports' standard attributes, and their measures by unit. */
export const sensorFamily: QueryFamily = {
  accepts: (name) => NAMES.includes(name) || MEASURE.test(name),
  described: [...NAMES, 'EQ_/GT_/GE_/LT_/LE_<value|minValue|maxValue|meanValue|sDev|percValue>_<uom>'],
  singleValued: (name) => !(name.slice(3) in ATTRIBUTES) || !name.startsWith('EQ_'),
  mayBeEmpty: (name) => EXISTS.includes(name),
  criteria(params: QueryParams): EventCriteria {
    const criteria: EventCriteria = {};
    const sensorAttributes: SensorAttributeCriterion[] = [];
    const sensorTimes: SensorTimeCriterion[] = [];
    const measures: MeasureCriterion[] = [];
    for (const [name, values] of Object.entries(params)) {
      const attribute = name.slice(3);
      if (EXISTS.includes(name)) {
        const value = single(params, name);
        if (!['', 'true', 'false'].includes(value!)) throw invalid(name, 'boolean', `is true or false, not "${value}"`);
        if (value !== 'false') criteria.sensorElementsExist = true;
      } else if (name in TIMES) {
        sensorTimes.push({ ...TIMES[name], instant: dateTimeValue(name, single(params, name)!).toISOString() });
      } else if (name.startsWith('EQ_') && attribute in ATTRIBUTES) {
        if (attribute === 'hexBinaryValue') {
          const bad = values.find((v) => !/^([0-9A-Fa-f]{2})*$/.test(v));
          if (bad !== undefined) throw invalid(name, 'hex-binary', `"${bad}" is not hexadecimal octets`);
        }
        sensorAttributes.push({
          attribute,
          in: ATTRIBUTES[attribute],
          values: attribute === 'type' ? values.flatMap(typeSpellings) : values,
          caseInsensitive: attribute === 'hexBinaryValue' || undefined,
        });
      } else if (name === 'EQ_booleanValue') {
        const value = single(params, name)!;
        if (value !== 'true' && value !== 'false') throw invalid(name, 'boolean', `is true or false, not "${value}"`);
        sensorAttributes.push({ attribute: 'booleanValue', in: 'report', values: [value] });
      } else if (PERC_RANK.includes(name)) {
        const op = name.slice(0, 2) as Comparison;
        measures.push({ of: 'sensorReport', field: 'percRank', op, value: numberValue(name, single(params, name)!) });
      } else {
        const match = MEASURE.exec(name);
        if (!match) continue;
        const uom = match[3];
        if (uom === undefined || !UOM.test(uom)) {
          throw invalid(
            name,
            'uom',
            `a ${match[2]} is compared in a unit: ${match[1]}_${match[2]}_<UN/ECE Rec 20 code>, e.g. GE_${match[2]}_CEL`,
          );
        }
        const value = numberValue(name, single(params, name)!);
        measures.push({ of: 'sensorReport', field: match[2], op: match[1] as Comparison, value, ...unitScales(uom) });
      }
    }
    if (sensorAttributes.length) criteria.sensorAttributes = sensorAttributes;
    if (sensorTimes.length) criteria.sensorTimes = sensorTimes;
    if (measures.length) criteria.measures = measures;
    return criteria;
  },
};
