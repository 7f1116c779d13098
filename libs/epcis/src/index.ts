export { EpcisErrorCode, type EpcisIssue, EpcisValidationError, MAX_REPORTED_ISSUES, reportedIssues } from './epcis.error';
export {
  type DocumentContext,
  digestToHash,
  type EventHashOptions,
  type EventHashResult,
  eventHash,
  eventHashes,
  eventHashesSliced,
  eventIdMismatch,
  eventIdMismatches,
  eventIgnoreFields,
  ignoreFieldsIssues,
  hashDigest,
} from './event-hash';
export { canonicalDigitalLink } from 'pharmatrace-verify/cbv';
export { type EpcRole, eventsOf, eventTimeOf, extractEpcs, type NamedEpc, type RawEvent } from './event.model';
export { createEpcisValidator, defaultSchemaDir, type EpcisValidator, type EpcisValidatorOptions } from './schema.validator';
export * from './document.builder';
export { type EpcisJsonDocument, readEpcisXml, readEpcisXmlSliced } from './xml-reader';
export { afterPoll, runSliced, slicer, type Resumable } from './time-slice';
export { jsonParsing, parseJsonSliced, SLICED_JSON_MIN_CHARS } from './sliced-json.parser';
export { type EpcisInput, type StreamedEpcisEvent, streamEpcisXmlEvents } from './xml-stream';
export { streamEpcisJsonEvents } from './json-stream';
export { decodeDocument, decodedChunks, DocumentDecoder, type DocumentFormat } from './document.decoder';
export { writeEpcisXml, type WriteEpcisXmlOptions } from './xml-writer';
export { servedEvent, type ServedEvents, servedEvents, type StoredEvent } from './served-event.writer';
export { protectedTermRedefinitions } from './epcis-context.terms';
export { isReadFromXml, markReadFromXml } from './xsd.rules';
export {
  CBV_XML_FORMATS,
  type CbvValueForm,
  type CbvXmlFormat,
  cbvValue,
  cbvXmlForm,
  companyPrefixLength,
  EPC_FORMATS,
  type EpcFormat,
  type EpcFormatted,
  formatEventEpcs,
  companyPrefixCandidatesOf,
  translateIdentifier,
} from './identifier-format';
export { parseIsoDate, parseZonedDateTime } from './date-time.parser';
export {
  CAPTURE_EVENT_LIMIT,
  eventCountOf,
  findInputViolation,
  InputLimitExceeded,
  pointerOfPath,
  inputViolationSteps,
  type InputRule,
  type InputViolation,
  MAX_NESTING_DEPTH,
  MAX_LIST_LENGTH,
  MAX_STRING_LENGTH,
} from './input-limits';
export { compileSchedule, type CompiledSchedule, nextRun, type QuerySchedule, QueryScheduleError, SCHEDULE_FIELDS } from './query-schedule';
export { servedQueryDocument } from './query-document.writer';
export {
  canonicalAttributeId,
  type DocumentHeaderSink,
  MASTER_DATA_ELEMENT_LIMIT,
  type MasterDataAttribute,
  type MasterDataElement,
  type MasterDataReading,
  readMasterData,
} from './master-data';
