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
 * choice. It never deletes, renames or retypes a field, and never touches a record: staff data stays.
 * A base that already has everything costs one listing and no changing call.
 */
export async function ensureBaseLayout(
  transport: AirtableTransport,
  tables: readonly TableSpec[],
): Promise<LayoutReport> {
  const present = await listTables(transport);
  const created: string[] = [];
  const repaired: string[] = [];
  for (const spec of tables) {
    const table = present.find((t) => t.name === spec.name);
    if (!table) {
      await transport.meta('create table', 'schema-write', 'POST', '/tables', {
        name: spec.name,
        fields: spec.fields.map(fieldBody),
      });
      created.push(spec.name);
      continue;
    }
    for (const field of spec.fields) {
      const have = table.fields.find((f) => f.name === field.name);
      if (!have) {
        await transport.meta('create field', 'schema-write', 'POST', `/tables/${table.id}/fields`, fieldBody(field));
        repaired.push(`${spec.name}: added the field "${field.name}"`);
        continue;
      }
      const missing = missingChoices(have, field);
      if (missing.length === 0) continue;
      // Existing choices are sent back by id, so staff's own choices and colours stay as they are.
      await transport.meta('update field', 'schema-write', 'PATCH', `/tables/${table.id}/fields/${have.id}`, {
        options: {
          choices: [
            ...(have.options?.choices ?? []).map((c) => (c.id ? { id: c.id } : { name: c.name })),
            ...missing.map((name) => ({ name })),
          ],
        },
      });
      repaired.push(`${spec.name}: added the choice(s) ${missing.map((c) => `"${c}"`).join(', ')} to "${field.name}"`);
    }
  }
  return { created, repaired };
}

function missingChoices(have: MetaField, want: FieldSpec): string[] {
  if (!want.choices || have.type !== 'singleSelect') return [];
  const names = new Set((have.options?.choices ?? []).map((c) => c.name));
  return want.choices.filter((c) => !names.has(c));
}
