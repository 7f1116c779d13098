import { AppError } from '../common/app.error';

export enum EventVocabularyErrorCode {
  /**
   * No event the caller may read has this EPC, bizStep, disposition, read point or location, or the event type is not
   * one this repository knows (`details.resource`, `details.value`): unreadable values are not told apart from absent ones.
   */
  RESOURCE_NOT_FOUND = 'RESOURCE_NOT_FOUND',
  /** A page token that this server did not issue (`DELETE /epcis/nextPageToken/{token}`). */
  PAGE_TOKEN_NOT_FOUND = 'PAGE_TOKEN_NOT_FOUND',
}

export class EventVocabularyError extends AppError<EventVocabularyErrorCode> {
  constructor(code: EventVocabularyErrorCode, message: string, details: { resource?: string; value?: string } = {}) {
    super(code, message, details);
  }
}
