/**
 * The Metadata API endpoints the store uses:
 *   GET   /v0/meta/bases/{baseId}/tables                      list tables (with fields and views)
 *   POST  /v0/meta/bases/{baseId}/tables                      create a table (first field = primary)
 *   POST  /v0/meta/bases/{baseId}/tables/{table}/fields       create a field
 *   PATCH /v0/meta/bases/{baseId}/tables/{table}/fields/{fld}  update a field: name and/or description ONLY
 *
 * Airtable's update-field endpoint takes only `name` and `description` (at least one).
 * It cannot change a field's type or options, so a missing single select choice cannot be
 * added through the Metadata API: a record write with `typecast: true` adds it (and so does
 * a person in the UI). The emulator answers any other key with 422 INVALID_REQUEST_UNKNOWN.
 */
import { buildField, fieldJson } from './fields.ts';
import { errors, newId, TableModel, type BaseModel, type Json } from './model.ts';

export function tableJson(table: TableModel): Json {
  const out: Json = {
    id: table.id,
    name: table.name,
    primaryFieldId: table.primaryField.id,
    fields: table.fields.map(fieldJson),
    views: [{ id: table.viewId, name: 'Grid view', type: 'grid' }],
  };
  if (table.description) out.description = table.description;
  return out;
}

export function listTables(base: BaseModel): Json {
  return { tables: base.tables.map(tableJson) };
}

export function createTable(base: BaseModel, body: Json): Json {
  for (const k of Object.keys(body)) if (!['name', 'description', 'fields'].includes(k)) throw errors.invalidRequest();
  const { name, description, fields } = body;
  if (typeof name !== 'string' || name.trim() === '' || base.tables.some((t) => t.name === name)) {
    throw errors.duplicateTableName(typeof name === 'string' ? name : '');
  }
  if (description !== undefined && typeof description !== 'string') throw errors.invalidRequest();
  if (!Array.isArray(fields) || fields.length === 0) {
    throw errors.invalidRequest('A table needs at least one field; the first is its primary field.');
  }
  const table = new TableModel(newId('tbl'), name, description as string | undefined);
  fields.forEach((spec, i) => {
    table.fields.push(
      buildField(
        spec,
        table.fields.map((f) => f.name),
        i === 0,
      ),
    );
  });
  base.tables.push(table);
  return tableJson(table);
}

export function createField(base: BaseModel, tableRef: string, body: Json): Json {
  const table = base.table(tableRef);
  if (!table) throw errors.invalidPermissionsOrModelNotFound();
  const field = buildField(
    body,
    table.fields.map((f) => f.name),
    false,
  );
  table.fields.push(field);
  return fieldJson(field);
}

export function updateField(base: BaseModel, tableRef: string, fieldId: string, body: Json): Json {
  const table = base.table(tableRef);
  if (!table) throw errors.invalidPermissionsOrModelNotFound();
  const field = table.fields.find((f) => f.id === fieldId);
  if (!field) throw errors.invalidPermissionsOrModelNotFound();
  for (const k of Object.keys(body)) if (k !== 'name' && k !== 'description') throw errors.invalidRequest();
  const { name, description } = body;
  if (name === undefined && description === undefined) throw errors.invalidRequest();
  if (name !== undefined) {
    if (typeof name !== 'string' || name.trim() === '' || table.fields.some((f) => f !== field && f.name === name)) {
      throw errors.duplicateFieldName(typeof name === 'string' ? name : '');
    }
    field.name = name;
  }
  if (description !== undefined) {
    if (typeof description !== 'string' || description.length > 20_000) throw errors.invalidRequest();
    if (description === '') delete field.description;
    else field.description = description;
  }
  return fieldJson(field);
}
