import { Injectable } from '@nestjs/common';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CaseError, CaseErrorCode } from './case.error';

/** Where the schema is published: docs/ beside apps/ in a checkout, beside dist/ in the image (the Dockerfile copies docs). */
export const CASE_SCHEMA_FILE = path.join('docs', 'schemas', 'exception-case.v1.schema.json');

/** At most this many schema errors are reported for one document: enough to fix it, never a document's worth. */
const MAX_REPORTED = 10;

function findUp(from: string, relative: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, relative);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${relative} not found above ${from}: the case JSON schema is published from docs/`);
  }
}

export interface CaseSchemaIssue {
  field: string;
  rule: string;
  message: string;
}

/** The published, versioned JSON Schema of case documents (JSON Schema 2020-12), and the checks REST input goes through. */
@Injectable()
export class CaseDocumentSchema {
  readonly schema: { $id: string } & Record<string, unknown>;
  private readonly document: ValidateFunction;
  private readonly action: ValidateFunction;

  constructor() {
    this.schema = JSON.parse(readFileSync(findUp(__dirname, CASE_SCHEMA_FILE), 'utf8')) as CaseDocumentSchema['schema'];
    const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
    addFormats(ajv);
    ajv.addSchema(this.schema);
    this.document = ajv.getSchema(this.schema.$id)!;
    this.action = ajv.getSchema(`${this.schema.$id}#/$defs/actionRequest`)!;
  }

  /** Problems of a case document (empty when it is valid), as `field` (dotted path), `rule` (schema keyword), message. */
  issues(kind: 'document' | 'action', value: unknown): CaseSchemaIssue[] {
    const validate = kind === 'document' ? this.document : this.action;
    if (validate(value)) return [];
    return (validate.errors ?? []).slice(0, MAX_REPORTED).map(issueOf);
  }

  /** Throws INVALID_CASE (400) naming the first field and rule, with up to MAX_REPORTED issues in `details.issues`. */
  assertValid(kind: 'document' | 'action', value: unknown): void {
    const issues = this.issues(kind, value);
    if (!issues.length) return;
    const [first] = issues;
    throw new CaseError(CaseErrorCode.INVALID_CASE, `${first.field}: ${first.message}`, { field: first.field, rule: first.rule, issues });
  }
}

function issueOf(e: ErrorObject): CaseSchemaIssue {
  const at = e.instancePath
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required') at.push(String((e.params as { missingProperty: string }).missingProperty));
  if (e.keyword === 'additionalProperties') at.push(String((e.params as { additionalProperty: string }).additionalProperty));
  if (e.keyword === 'unevaluatedProperties') at.push(String((e.params as { unevaluatedProperty: string }).unevaluatedProperty));
  return { field: at.join('.') || '(document)', rule: e.keyword, message: e.message ?? 'invalid' };
}
