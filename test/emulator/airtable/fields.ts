/**
 * Field types: the options a field is created with (Metadata API), how a written value is
 * checked and stored (with and without `typecast`), and how a stored value is answered.
 *
 * Written values, as Airtable takes them:
 * - text, long text, phone: a string; `typecast` turns numbers and booleans into text. Long
 *   text holds at most 100,000 characters (INVALID_VALUE_FOR_COLUMN past it).
 * - email: a string that looks like an address (`a@b.c`), else INVALID_VALUE_FOR_COLUMN.
 * - url: any string.
 * - number: a number; `typecast` parses numeric strings. Stored as given.
 * - date: `YYYY-MM-DD`; `typecast` also takes an ISO date-time (its date part, UTC) and `M/D/YYYY`.
 * - dateTime: an ISO 8601 date-time, answered as `YYYY-MM-DDTHH:mm:ss.sssZ`.
 * - checkbox: a boolean; false clears the cell.
 * - singleSelect: the name of an existing choice (or its `sel` id); an unknown name fails
 *   with INVALID_MULTIPLE_CHOICE_OPTIONS unless `typecast` is true, which adds the choice.
 * - multipleSelects: an array of choice names, the same way; `typecast` also takes a
 *   comma-separated string. An empty array clears the cell.
 * null, "" and false clear a cell. Empty cells are left out of every answer.
 */
import {
  errors,
  FIELD_TYPES,
  newId,
  type CellValue,
  type Choice,
  type FieldModel,
  type FieldType,
  type Json,
} from './model.ts';

const CHOICE_COLORS = [
  'blueLight2',
  'cyanLight2',
  'tealLight2',
  'greenLight2',
  'yellowLight2',
  'orangeLight2',
  'redLight2',
  'pinkLight2',
  'purpleLight2',
  'grayLight2',
];

const DATE_FORMATS: Record<string, string> = {
  local: 'l',
  friendly: 'LL',
  us: 'M/D/YYYY',
  european: 'D/M/YYYY',
  iso: 'YYYY-MM-DD',
};

/** Types that may be a table's primary field. */
const PRIMARY_TYPES: ReadonlySet<FieldType> = new Set([
  'singleLineText',
  'multilineText',
  'email',
  'url',
  'phoneNumber',
  'number',
  'date',
  'dateTime',
]);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Builds a field from a Metadata API field spec, checking its type and options. */
export function buildField(spec: unknown, existingNames: readonly string[], primary: boolean): FieldModel {
  if (!isObject(spec)) throw errors.invalidRequest();
  const { name, type, description, options } = spec;
  for (const key of Object.keys(spec)) {
    if (!['name', 'type', 'description', 'options'].includes(key)) throw errors.invalidRequest();
  }
  if (typeof name !== 'string' || name.trim() === '' || existingNames.includes(name)) {
    throw errors.duplicateFieldName(typeof name === 'string' ? name : '');
  }
  if (typeof type !== 'string' || !(FIELD_TYPES as readonly string[]).includes(type)) {
    throw errors.invalidFieldType(`Unsupported field type: ${String(type)}`);
  }
  if (description !== undefined && typeof description !== 'string') throw errors.invalidRequest();
  if (primary && !PRIMARY_TYPES.has(type as FieldType)) {
    throw errors.invalidFieldType(`Field type ${type} cannot be the primary field`);
  }
  const field: FieldModel = { id: newId('fld'), name, type: type as FieldType };
  if (description !== undefined) field.description = description;
  const built = buildOptions(field.type, options);
  if (built) field.options = built;
  return field;
}

function buildOptions(type: FieldType, options: unknown): Json | undefined {
  const bad = (detail: string) => errors.invalidFieldType(`Invalid options for ${type}: ${detail}`);
  switch (type) {
    case 'singleLineText':
    case 'multilineText':
    case 'email':
    case 'url':
    case 'phoneNumber':
      if (options !== undefined && !(isObject(options) && Object.keys(options).length === 0))
        throw bad('takes no options');
      return undefined;
    case 'number': {
      if (
        !isObject(options) ||
        !Number.isInteger(options.precision) ||
        (options.precision as number) < 0 ||
        (options.precision as number) > 8
      ) {
        throw bad('options.precision (an integer from 0 to 8) is required');
      }
      return { precision: options.precision };
    }
    case 'date': {
      if (!isObject(options)) throw bad('options.dateFormat is required');
      return { dateFormat: dateFormat(options.dateFormat, bad) };
    }
    case 'dateTime': {
      if (!isObject(options) || !isObject(options.timeFormat) || typeof options.timeZone !== 'string') {
        throw bad('options.dateFormat, options.timeFormat and options.timeZone are required');
      }
      const timeName = options.timeFormat.name;
      if (timeName !== '12hour' && timeName !== '24hour') throw bad('timeFormat.name must be 12hour or 24hour');
      return {
        dateFormat: dateFormat(options.dateFormat, bad),
        timeFormat: { name: timeName, format: timeName === '24hour' ? 'HH:mm' : 'h:mma' },
        timeZone: options.timeZone,
      };
    }
    case 'checkbox': {
      const o = isObject(options) ? options : {};
      return {
        icon: typeof o.icon === 'string' ? o.icon : 'check',
        color: typeof o.color === 'string' ? o.color : 'greenBright',
      };
    }
    case 'singleSelect':
    case 'multipleSelects': {
      if (!isObject(options) || !Array.isArray(options.choices)) throw bad('options.choices is required');
      const choices: Choice[] = [];
      for (const c of options.choices) {
        if (!isObject(c) || typeof c.name !== 'string' || c.name === '') throw bad('each choice needs a name');
        if (choices.some((x) => x.name === c.name)) throw bad(`duplicate choice ${c.name}`);
        choices.push({
          id: newId('sel'),
          name: c.name,
          color: typeof c.color === 'string' ? c.color : CHOICE_COLORS[choices.length % CHOICE_COLORS.length]!,
        });
      }
      return { choices };
    }
  }
}

function dateFormat(spec: unknown, bad: (detail: string) => Error): Json {
  if (!isObject(spec) || typeof spec.name !== 'string' || !(spec.name in DATE_FORMATS)) {
    throw bad('dateFormat.name must be one of local, friendly, us, european, iso');
  }
  const format = DATE_FORMATS[spec.name]!;
  if (spec.format !== undefined && spec.format !== format) throw bad(`dateFormat.format must be ${format}`);
  return { name: spec.name, format };
}

export function choicesOf(field: FieldModel): Choice[] {
  return (field.options?.choices as Choice[] | undefined) ?? [];
}

/** Adds a choice to a single select field (typecast, or staff typing a new value). */
export function addChoice(field: FieldModel, name: string): Choice {
  const choices = choicesOf(field);
  const choice = { id: newId('sel'), name, color: CHOICE_COLORS[choices.length % CHOICE_COLORS.length]! };
  field.options = { ...(field.options ?? {}), choices: [...choices, choice] };
  return choice;
}

/** Airtable's limit on a long text cell. */
export const LONG_TEXT_LIMIT = 100_000;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?$/;
const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/;

function validDate(y: number, m: number, d: number): boolean {
  const t = new Date(Date.UTC(y, m - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/**
 * Checks one written value against its field and returns what is stored, or undefined to clear
 * the cell. Throws Airtable's 422 errors. `typecast` may add a select choice to the field.
 */
export function normalizeCell(field: FieldModel, value: unknown, typecast: boolean): CellValue | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const invalid = (detail?: string) => errors.invalidValueForColumn(field.name, detail);
  switch (field.type) {
    case 'singleLineText':
    case 'multilineText':
    case 'phoneNumber':
    case 'url':
    case 'email': {
      let text: string;
      if (typeof value === 'string') text = value;
      else if (typecast && (typeof value === 'number' || typeof value === 'boolean')) text = String(value);
      else throw invalid(`expected a string, got ${JSON.stringify(value)}`);
      if (field.type === 'singleLineText') text = text.replace(/[\r\n]+/g, ' ');
      if (field.type === 'multilineText' && text.length > LONG_TEXT_LIMIT) {
        throw invalid(`long text is limited to ${LONG_TEXT_LIMIT} characters, got ${text.length}`);
      }
      if (field.type === 'email' && !EMAIL.test(text.trim())) throw invalid(`"${text}" is not a valid email address`);
      return text;
    }
    case 'number': {
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (
        typecast &&
        typeof value === 'string' &&
        value.trim() !== '' &&
        Number.isFinite(Number(value.replace(/,/g, '')))
      ) {
        return Number(value.replace(/,/g, ''));
      }
      throw invalid(`expected a number, got ${JSON.stringify(value)}`);
    }
    case 'date': {
      if (typeof value !== 'string') throw invalid(`expected a date string YYYY-MM-DD, got ${JSON.stringify(value)}`);
      const iso = ISO_DATE.exec(value);
      if (iso && validDate(Number(iso[1]), Number(iso[2]), Number(iso[3]))) return value;
      if (typecast) {
        if (ISO_DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)))
          return new Date(value).toISOString().slice(0, 10);
        const us = US_DATE.exec(value);
        if (us && validDate(Number(us[3]), Number(us[1]), Number(us[2])))
          return `${us[3]}-${pad(Number(us[1]))}-${pad(Number(us[2]))}`;
      }
      throw invalid(`"${value}" is not a date (YYYY-MM-DD)`);
    }
    case 'dateTime': {
      if (typeof value !== 'string') throw invalid(`expected an ISO 8601 date-time, got ${JSON.stringify(value)}`);
      if ((ISO_DATE_TIME.test(value) || (typecast && ISO_DATE.test(value))) && !Number.isNaN(Date.parse(value))) {
        return new Date(value).toISOString();
      }
      throw invalid(`"${value}" is not an ISO 8601 date-time`);
    }
    case 'checkbox': {
      if (typeof value === 'boolean') return value ? true : undefined;
      if (typecast && typeof value === 'string')
        return ['true', 'checked', 'yes', '1'].includes(value.toLowerCase()) ? true : undefined;
      throw invalid(`expected a boolean, got ${JSON.stringify(value)}`);
    }
    case 'singleSelect': {
      if (typeof value !== 'string') throw invalid(`expected a choice name, got ${JSON.stringify(value)}`);
      return selectChoice(field, value, typecast);
    }
    case 'multipleSelects': {
      let names: unknown[];
      if (Array.isArray(value)) names = value;
      else if (typecast && typeof value === 'string') names = value.split(',').map((v) => v.trim());
      else throw invalid(`expected an array of choice names, got ${JSON.stringify(value)}`);
      if (names.some((n) => typeof n !== 'string')) throw invalid('expected an array of choice names');
      const picked = [
        ...new Set((names as string[]).filter((n) => n !== '').map((n) => selectChoice(field, n, typecast))),
      ];
      return picked.length ? picked : undefined;
    }
  }
}

function selectChoice(field: FieldModel, value: string, typecast: boolean): string {
  const choices = choicesOf(field);
  const hit = choices.find((c) => c.name === value) ?? choices.find((c) => c.id === value);
  if (hit) return hit.name;
  if (!typecast) throw errors.invalidChoice(value);
  return addChoice(field, value).name;
}

/** A stored value as the API answers it with cellFormat=json. */
export function renderCell(_field: FieldModel, value: CellValue): unknown {
  return Array.isArray(value) ? [...value] : value;
}

/** A stored value as the API answers it with cellFormat=string. */
export function renderCellString(field: FieldModel, value: CellValue): string {
  if (field.type === 'checkbox') return value ? 'checked' : '';
  if (Array.isArray(value)) return value.join(', ');
  if (field.type === 'number' && typeof value === 'number') {
    const precision = (field.options?.precision as number | undefined) ?? 0;
    return value.toFixed(precision);
  }
  return String(value);
}

/** The field as the Metadata API shows it. */
export function fieldJson(field: FieldModel): Json {
  const out: Json = { id: field.id, name: field.name, type: field.type };
  if (field.description) out.description = field.description;
  if (field.options) out.options = JSON.parse(JSON.stringify(field.options)) as Json;
  return out;
}
