export { Gs1Error, Gs1ErrorCode, type Gs1ErrorDetails } from './gs1-error';
export { gs1CheckDigit, gs1CheckCharacterPair, isValidGtin, isValidSscc, isValidGln, toGtin14, assertGs1Key } from './check-digit';
export { gs1DateToIso, gs1FullYear } from './gs1-date';
export {
  type AiComponent,
  type AiDefinition,
  type CharacterSet,
  type SyntaxDictionary,
  parseSyntaxDictionary,
  loadSyntaxDictionary,
  getSyntaxDictionary,
  findAiDefinition,
  resolveSyntaxDictionaryPath,
  standardsDir,
  STANDARDS_FIX,
} from './syntax-dictionary';
export { type Gs1Element, validateAiValue, validateAssociations } from './ai-validation';
export { LINTERS, type Linter, type LintFailure } from './linters';
export {
  GS,
  type ElementStringResult,
  type ParseElementStringOptions,
  type FormatElementStringOptions,
  parseElementString,
  formatElementString,
} from './element-string';
export {
  DEFAULT_DIGITAL_LINK_DOMAIN,
  type DigitalLinkResult,
  parseDigitalLink,
  toDigitalLink,
  elementStringToDigitalLink,
  digitalLinkToElementString,
  encodeDigitalLinkValue,
} from './digital-link';
export {
  type Epc,
  parseEpc,
  canonicalEpc,
  epcToDigitalLink,
  epcToUrn,
  gtinToSgtinUrn,
  companyPrefixDigits,
  companyPrefixLengthFor,
  escapeUrnComponent,
} from './epc';
export { type CompanyPrefixes, companyPrefixCandidates, longestCompanyPrefix } from './company-prefix';
export { type PackIdentity, type ParsePackScanOptions, packEpc, parsePackScan } from './pack-scan';
