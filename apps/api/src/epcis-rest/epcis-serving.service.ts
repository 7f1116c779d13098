import { Injectable } from '@nestjs/common';
import { companyPrefixCandidatesOf, type EpcFormat, formatEventEpcs, servedQueryDocument, type StoredEvent } from '@pharmatrace/epcis';
import { OrganizationRepository, type QueriedEvent } from '@pharmatrace/persistence';

/** Vendor header: how many identifiers of the answer are not in the GS1-EPC-Format asked for (see docs/rest-binding.md). */
export const UNTRANSLATED_EPCS_HEADER = 'X-Pharmatrace-Untranslated-EPCs';

/** An answer body and the headers that say in which formats it was written. */
export interface ServedAnswer {
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/**
 * Stored events as the REST binding serves them: without their ignored fields, with their latest error declaration
 * if declared in error, and their identifiers in the GS1-EPC-Format asked for (identifier-format.ts keeps the hash).
 * A Digital Link becomes an EPC URN only where a registered company prefix says where the prefix ends: a URN split
 * elsewhere would name another item, so such an identifier stays a Digital Link and the answer says so
 * (`GS1-EPC-Format: No_Preference`, and UNTRANSLATED_EPCS_HEADER counts them).
 */
@Injectable()
export class EpcisServingService {
  constructor(private readonly organizations: OrganizationRepository) {}

  /** Stored events in one query document: one @context for all of them (served-event.writer.ts says why). */
  async queryDocument(stored: QueriedEvent[], format: EpcFormat, queryName = 'SimpleEventQuery'): Promise<ServedAnswer> {
    const { events, headers } = await this.formatted(stored, format);
    return { body: servedQueryDocument(events, queryName), headers };
  }

  /** One event, in a query document of its own, JSON-LD as XML: the binding's answer to GET /events/{eventID}. */
  async event(stored: QueriedEvent, format: EpcFormat): Promise<ServedAnswer> {
    return this.queryDocument([stored], format);
  }

  private async formatted(stored: QueriedEvent[], format: EpcFormat): Promise<{ events: StoredEvent[]; headers: Record<string, string> }> {
    const prefixes =
      format === 'Always_EPC_URN' && stored.length
        ? await this.organizations.registeredCompanyPrefixes(stored.flatMap((e) => companyPrefixCandidatesOf(e.body)))
        : new Set<string>();
    let untranslated = 0;
    const events = stored.map((e): StoredEvent => {
      const formatted = formatEventEpcs(e.body, format, prefixes);
      untranslated += formatted.untranslated.length;
      return {
        body: formatted.event,
        ignoreFields: e.ignoreFields,
        errorDeclaration: e.corrections.at(-1)?.errorDeclaration,
        recordTime: e.recordTime,
      };
    });
    // No_Preference leaves the choice to the server, which serves identifiers as they were captured.
    const answered = format === 'No_Preference' ? 'Never_Translates' : untranslated ? 'No_Preference' : format;
    return { events, headers: { 'GS1-EPC-Format': answered, [UNTRANSLATED_EPCS_HEADER]: String(untranslated) } };
  }
}
