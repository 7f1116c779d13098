import type { ErrorDeclarationCriterion, EventCriteria } from '@pharmatrace/persistence';
import { dateTime, invalid, QueryFamily, QueryParams, single, vocabularySpellings } from './query-values';

const NAMES = ['EXISTS_errorDeclaration', 'GE_errorDeclarationTime', 'LT_errorDeclarationTime', 'EQ_errorReason', 'EQ_correctiveEventID'];

/**
 * Error declarations. A declaration is kept as a correction of the event it declares in error (event_correction), and
 * the event is served with its latest one, so these match that latest declaration: an event answers as it is served.
 */
export const errorDeclarationFamily: QueryFamily = {
  accepts: (name) => NAMES.includes(name),
  described: NAMES,
  singleValued: (name) => name !== 'EQ_errorReason' && name !== 'EQ_correctiveEventID',
  mayBeEmpty: (name) => name === 'EXISTS_errorDeclaration',
  criteria(params: QueryParams): EventCriteria {
    const declaration: ErrorDeclarationCriterion = {};
    const exists = single(params, 'EXISTS_errorDeclaration');
    if (exists !== undefined && !['', 'true', 'false'].includes(exists)) {
      throw invalid('EXISTS_errorDeclaration', 'boolean', `is true or false, not "${exists}"`);
    }
    declaration.from = dateTime(params, 'GE_errorDeclarationTime')?.toISOString();
    declaration.before = dateTime(params, 'LT_errorDeclarationTime')?.toISOString();
    declaration.reasons = params.EQ_errorReason?.flatMap((r) => vocabularySpellings(r, 'er', 'ER'));
    declaration.correctiveEventIds = params.EQ_correctiveEventID;
    // `false`, as the binding says, asks nothing: events are returned whether declared in error or not.
    const asked = (exists !== undefined && exists !== 'false') || Object.values(declaration).some((v) => v !== undefined);
    return asked ? { errorDeclaration: declaration } : {};
  },
};
