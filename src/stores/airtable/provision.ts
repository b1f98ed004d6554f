import type { LayoutReport } from '../../core/ports.ts';
import type { FieldSpec, TableSpec } from './tables.ts';
import type { AirtableTransport } from './transport.ts';

/** A table as the Metadata API lists it. */
export interface MetaTable {
  readonly id: string;
  readonly name: string;
  readonly primaryFieldId?: string;
  readonly fields: readonly MetaField[];
}

export interface MetaField {
  readonly id: string;
  readonly name: string;
  readonly type: string;
  readonly options?: { readonly choices?: readonly { id?: string; name: string; color?: string }[] } & Record<
    string,
    unknown
  >;
}

/** The base's tables and fields: one Metadata API call. */
export async function listTables(transport: AirtableTransport): Promise<MetaTable[]> {
  const answer = await transport.meta<{ tables?: MetaTable[] }>('list tables', 'schema-read', 'GET', '/tables');
  return answer.tables ?? [];
}

/** What the Metadata API cannot do, for a person to do by hand once. */
export const MANUAL_CHECKLIST: readonly string[] = [
  'Field editing permissions (Team plan and above) cannot be set through the API. In each table, open the system fields (Proposals: Stage Since to Last Synced At; Disputes: Business Days at Level to Row Issues; the whole Activity Log, Issues and summary tables) and set "Editing permissions" to the token owner only.',
  'Give program staff access to the restricted base only where they may see Specialized Security, Specialized Privacy, Known Risks and Department Positions: Airtable has no field-level read permission, which is why that table lives in a base of its own.',
  "Keep the Activity Log table out of interfaces and forms staff edit: its records are the service's memory.",
];

function fieldBody(field: FieldSpec): Record<string, unknown> {
  return { name: field.name, type: field.type, ...(field.options ? { options: field.options } : {}) };
}

/**
 * Creates what the base lacks: a table with its fields (the first one primary), a field, a select
 * choice. It never deletes, renames or retypes a field, and never changes a record: staff data stays.
 * A base that already has everything costs one listing and no changing call.
 */
export async function ensureBaseLayout(
  transport: AirtableTransport,
  tables: readonly TableSpec[],
  present?: readonly MetaTable[],
): Promise<LayoutReport> {
  present ??= await listTables(transport);
  const created: string[] = [];
  const repaired: string[] = [];
  for (const spec of tables) {
    const table = present.find((t) => t.name === spec.name);
    if (!table) {
      await transport.meta('create table', 'schema-write', 'POST', '/tables', {
        name: spec.name,
        fields: spec.fields.map(fieldBody),
      });
      created.push(`table "${spec.name}"`);
      continue;
    }
    const choices: { field: string; missing: string[] }[] = [];
    for (const field of spec.fields) {
      const have = table.fields.find((f) => f.name === field.name);
      if (!have) {
        await transport.meta('create field', 'schema-write', 'POST', `/tables/${table.id}/fields`, fieldBody(field));
        repaired.push(`table "${spec.name}": the field "${field.name}"`);
        continue;
      }
      const missing = missingChoices(have, field);
      if (missing.length > 0) choices.push({ field: field.name, missing });
    }
    if (choices.length > 0) {
      await addChoices(transport, table, choices);
      for (const c of choices) {
        repaired.push(
          `table "${spec.name}": the choice(s) ${c.missing.map((m) => `"${m}"`).join(', ')} to "${c.field}"`,
        );
      }
    }
  }
  return { created, repaired };
}

/** Marks the records `addChoices` makes, in case a person sees one in the moment it exists. */
export const CHOICE_RECORD_MARK = 'bucp init: adding select choices (this record is deleted at once)';

/**
 * Adds missing select choices. Airtable's update-field call changes only a name or description, so a
 * choice comes into being the way the API allows: a record that carries it, created with `typecast`,
 * and deleted at once. One record per choice of a field, up to 10 a call; no staff record is touched.
 */
async function addChoices(
  transport: AirtableTransport,
  table: MetaTable,
  choices: readonly { field: string; missing: readonly string[] }[],
): Promise<void> {
  const primary = table.fields.find((f) => f.id === table.primaryFieldId) ?? table.fields[0];
  const depth = Math.max(...choices.map((c) => c.missing.length));
  const records = Array.from({ length: depth }, (_, i) => ({
    fields: {
      ...(primary ? { [primary.name]: CHOICE_RECORD_MARK } : {}),
      ...Object.fromEntries(choices.filter((c) => c.missing[i] !== undefined).map((c) => [c.field, c.missing[i]])),
    },
  }));
  for (let i = 0; i < records.length; i += 10) {
    const answer = await transport.records<{ records?: { id: string }[] }>('add select choices', 'write', {
      method: 'POST',
      path: `/${table.id}`,
      body: { records: records.slice(i, i + 10), typecast: true },
    });
    const ids = (answer.records ?? []).map((r) => r.id);
    if (ids.length > 0) {
      await transport.records('remove the choice records', 'write', {
        method: 'DELETE',
        path: `/${table.id}`,
        qs: { records: ids },
      });
    }
  }
}

function missingChoices(have: MetaField, want: FieldSpec): string[] {
  if (!want.choices || have.type !== 'singleSelect') return [];
  const names = new Set((have.options?.choices ?? []).map((c) => c.name));
  return want.choices.filter((c) => !names.has(c));
}
