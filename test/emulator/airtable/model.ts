/**
 * In-memory bases, tables, fields and records behind the Airtable emulator, and the
 * errors the emulator answers with.
 *
 * Records keep their cells by field id, so renaming a field renames it everywhere,
 * as in Airtable. A table's records are a Map in creation order, which is the order
 * Airtable lists records in when no view or sort is given.
 */
import { randomBytes } from 'node:crypto';

export type Json = Record<string, unknown>;

export type FieldType =
  | 'singleLineText'
  | 'multilineText'
  | 'email'
  | 'url'
  | 'phoneNumber'
  | 'number'
  | 'date'
  | 'dateTime'
  | 'checkbox'
  | 'singleSelect'
  | 'multipleSelects';

export const FIELD_TYPES: readonly FieldType[] = [
  'singleLineText',
  'multilineText',
  'email',
  'url',
  'phoneNumber',
  'number',
  'date',
  'dateTime',
  'checkbox',
  'singleSelect',
  'multipleSelects',
];

/**
 * Stored cell values: strings (text, email, url, date `YYYY-MM-DD`, dateTime ISO, select name),
 * numbers, true (checkbox), and choice names in order (multiple selects).
 */
export type CellValue = string | number | boolean | readonly string[];

export interface Choice {
  id: string;
  name: string;
  color?: string;
}

export interface FieldModel {
  id: string;
  name: string;
  type: FieldType;
  description?: string;
  /** Type options as the Metadata API shows them (choices, precision, dateFormat, ...). */
  options?: Json;
}

export interface RecordModel {
  id: string;
  createdTime: string;
  /** Non-empty cells by field id. */
  cells: Map<string, CellValue>;
}

export type Scope = 'data.records:read' | 'data.records:write' | 'schema.bases:read' | 'schema.bases:write';

export const ALL_SCOPES: readonly Scope[] = [
  'data.records:read',
  'data.records:write',
  'schema.bases:read',
  'schema.bases:write',
];

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** An Airtable-shaped id: a three-letter prefix and 14 letters or digits (17 characters). */
export function newId(prefix: 'app' | 'tbl' | 'fld' | 'rec' | 'sel' | 'viw' | 'itr' | 'usr'): string {
  const bytes = randomBytes(14);
  let id = prefix;
  for (const b of bytes) id += ID_ALPHABET[b % ID_ALPHABET.length];
  return id;
}

export const isId = (prefix: string, text: string): boolean => new RegExp(`^${prefix}[A-Za-z0-9]{14}$`).test(text);

export class AirtableApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly headers: Record<string, string>;
  constructor(status: number, type: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.headers = headers;
  }
}

/**
 * The error answers, in one place. Types and messages follow Airtable's public docs and
 * answers seen in the wild; the few not confirmed by a public source say so.
 */
export const errors = {
  authenticationRequired: () => new AirtableApiError(401, 'AUTHENTICATION_REQUIRED', 'Authentication required'),
  /** Unknown base, a base the token was not granted, or (with personal access tokens) an unknown table. */
  invalidPermissionsOrModelNotFound: () =>
    new AirtableApiError(
      403,
      'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
      'Invalid permissions, or the requested model was not found. Check that both your user and your token have the required permissions, and that the model names and/or ids are correct.',
    ),
  /**
   * A token without the scope the endpoint needs. Airtable does not document a separate type
   * (it answers INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND); the emulator's message names the scope.
   */
  missingScope: (scope: Scope) =>
    new AirtableApiError(
      403,
      'INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND',
      `Invalid permissions, or the requested model was not found. The token lacks the scope ${scope}.`,
    ),
  notFound: (message = 'Could not find what you are looking for') => new AirtableApiError(404, 'NOT_FOUND', message),
  tableNotFound: (table: string, baseId: string) =>
    new AirtableApiError(404, 'TABLE_NOT_FOUND', `Could not find table ${table} in application ${baseId}`),
  invalidRequest: (message = 'Invalid request: parameter validation failed. Check your request data.') =>
    new AirtableApiError(422, 'INVALID_REQUEST_UNKNOWN', message),
  invalidRecords: (withId: boolean) =>
    new AirtableApiError(
      422,
      'INVALID_RECORDS',
      withId
        ? "You must provide an array of up to 10 record objects, each with an 'id' ID field and a 'fields' object for cell values."
        : "You must provide an array of up to 10 record objects, each with a 'fields' object for cell values.",
    ),
  unknownFieldName: (name: string) => new AirtableApiError(422, 'UNKNOWN_FIELD_NAME', `Unknown field name: "${name}"`),
  invalidValueForColumn: (field: string, detail?: string) =>
    new AirtableApiError(
      422,
      'INVALID_VALUE_FOR_COLUMN',
      detail
        ? `Field "${field}" cannot accept the provided value: ${detail}`
        : `Field "${field}" cannot accept the provided value`,
    ),
  invalidChoice: (value: string) =>
    new AirtableApiError(
      422,
      'INVALID_MULTIPLE_CHOICE_OPTIONS',
      `Insufficient permissions to create new select option ""${value}""`,
    ),
  rowDoesNotExist: (recordId: string) =>
    new AirtableApiError(422, 'ROW_DOES_NOT_EXIST', `Record ID ${recordId} does not exist in this table`),
  iteratorNotAvailable: () =>
    new AirtableApiError(
      422,
      'LIST_RECORDS_ITERATOR_NOT_AVAILABLE',
      'The offset is no longer valid; list from the start.',
    ),
  invalidFormula: (detail: string) =>
    new AirtableApiError(422, 'INVALID_FILTER_BY_FORMULA', `The formula for filtering records is invalid: ${detail}`),
  duplicateFieldName: (name: string) =>
    new AirtableApiError(422, 'DUPLICATE_OR_EMPTY_FIELD_NAME', `Field name "${name}" is empty or already used`),
  /** A write to a field whose editing permissions exclude the token's user. */
  fieldEditingLimited: (field: string) =>
    new AirtableApiError(
      403,
      'INVALID_PERMISSIONS',
      `You are not permitted to perform this operation because the field or table has been configured to limit who can perform this operation (field "${field}")`,
    ),
  /** Type not confirmed by a public source. */
  duplicateTableName: (name: string) =>
    new AirtableApiError(422, 'DUPLICATE_OR_EMPTY_TABLE_NAME', `Table name "${name}" is empty or already used`),
  invalidFieldType: (detail: string) => new AirtableApiError(422, 'INVALID_FIELD_TYPE_OPTIONS', detail),
  /** The base's plan allows no more records. Type not confirmed by a public source. */
  recordLimitExceeded: (limit: number) =>
    new AirtableApiError(
      422,
      'RECORD_LIMIT_EXCEEDED',
      `This base has reached its limit of ${limit} records. Delete records or upgrade the workspace's plan.`,
    ),
  rateLimited: (retryAfterSeconds?: number) =>
    new AirtableApiError(
      429,
      'RATE_LIMIT_REACHED',
      'Rate limit exceeded. Please try again later',
      retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) },
    ),
  server: (status: number) =>
    new AirtableApiError(
      status,
      status === 503 ? 'SERVICE_UNAVAILABLE' : status === 502 ? 'BAD_GATEWAY' : 'SERVER_ERROR',
      status === 503
        ? 'The service is temporarily unavailable. Please retry shortly.'
        : 'Try again. If the problem persists, contact support.',
    ),
};

export class TableModel {
  readonly id: string;
  name: string;
  description: string | undefined;
  readonly fields: FieldModel[] = [];
  readonly records = new Map<string, RecordModel>();
  readonly viewId = newId('viw');
  /** Fields whose editing a base creator limited to people (Team plans and up): API writes fail. */
  readonly restrictedFields = new Set<string>();

  constructor(id: string, name: string, description?: string) {
    this.id = id;
    this.name = name;
    this.description = description;
  }

  get primaryField(): FieldModel {
    return this.fields[0]!;
  }

  /** A field by id or by exact name. */
  field(ref: string): FieldModel | undefined {
    return this.fields.find((f) => f.id === ref) ?? this.fields.find((f) => f.name === ref);
  }
}

export class BaseModel {
  readonly id: string;
  name: string;
  readonly tables: TableModel[] = [];
  /** Most records the base may hold, all tables together (the plan's limit). */
  recordLimit: number;

  constructor(id: string, name: string, recordLimit: number) {
    this.id = id;
    this.name = name;
    this.recordLimit = recordLimit;
  }

  /** A table by id or by exact name. */
  table(ref: string): TableModel | undefined {
    return this.tables.find((t) => t.id === ref) ?? this.tables.find((t) => t.name === ref);
  }

  get recordCount(): number {
    return this.tables.reduce((n, t) => n + t.records.size, 0);
  }
}
