import { afterEach, expect, test } from 'vitest';
import { DEFAULT_DEPARTMENTS } from '../../src/core/config.ts';
import { STAGES } from '../../src/core/contract.ts';
import { restrictedLayout, trackerLayout } from '../../src/core/layout.ts';
import { type AirtableRig, airtableRig } from '../support/airtable.ts';

const rigs: AirtableRig[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.stop()));
});

interface Schema {
  id: string;
  name: string;
  primaryFieldId: string;
  fields: { id: string; name: string; type: string; options?: { choices?: { name: string }[] } }[];
}

const schema = (rig: AirtableRig, base: string, table: string) =>
  rig.emulator.tableSchema(base, table) as unknown as Schema;
const field = (s: Schema, name: string) => s.fields.find((f) => f.name === name);

async function provisioned(): Promise<AirtableRig> {
  const rig = await airtableRig({ emulator: { recordBodies: true } });
  rigs.push(rig);
  await rig.tracker.ensureLayout(trackerLayout(DEFAULT_DEPARTMENTS));
  await rig.restricted.ensureLayout(restrictedLayout());
  return rig;
}

test('bucp init provisions both bases from the column contract, with field types, choices and the ID as primary field', async () => {
  const rig = await airtableRig();
  rigs.push(rig);
  const report = await rig.tracker.ensureLayout(trackerLayout(DEFAULT_DEPARTMENTS));
  expect(report.created).toEqual([
    'table "Proposals"',
    'table "Disputes"',
    'table "Tasks"',
    'table "Activity Log"',
    'table "Issues"',
    'table "Summary"',
    'table "Stage Times"',
    'table "Dispute Metrics"',
    'table "Breakdowns"',
    'table "Task Metrics"',
    'table "Library"',
  ]);
  expect((await rig.restricted.ensureLayout(restrictedLayout())).created).toEqual(['table "Restricted"']);

  const proposals = schema(rig, rig.trackerBaseId, 'Proposals');
  expect(proposals.fields[0]!.name).toBe('BUCP ID');
  expect(proposals.primaryFieldId).toBe(field(proposals, 'BUCP ID')!.id);
  expect(
    Object.fromEntries(
      [
        'Use Case Name',
        'Requesting Coordinator Email',
        'Stage',
        'Stage Entered On',
        'Notes',
        'SLA Days',
        'Last Synced At',
      ].map((name) => [name, field(proposals, name)!.type]),
    ),
  ).toEqual({
    'Use Case Name': 'multilineText',
    'Requesting Coordinator Email': 'email',
    Stage: 'singleSelect',
    'Stage Entered On': 'date',
    Notes: 'multilineText',
    'SLA Days': 'number',
    'Last Synced At': 'singleLineText',
  });
  expect(field(proposals, 'Stage')!.options!.choices!.map((c) => c.name)).toEqual([...STAGES]);
  expect(field(proposals, 'Requesting Department')!.options!.choices!.map((c) => c.name)).toEqual([
    ...DEFAULT_DEPARTMENTS,
  ]);
  expect(schema(rig, rig.trackerBaseId, 'Disputes').fields[0]!.name).toBe('Dispute ID');
  // The restricted content lives only in the second base.
  expect(() => rig.emulator.tableSchema(rig.trackerBaseId, 'Restricted')).toThrow();
  expect(schema(rig, rig.restrictedBaseId, 'Restricted').fields.map((f) => f.name)).toEqual([
    'BUCP ID',
    'Specialized Security',
    'Specialized Privacy',
    'Known Risks',
    'Department Positions',
  ]);
  // What the API cannot do is a checklist for a person.
  expect(rig.tracker.manualSteps.join('\n')).toMatch(/Editing permissions/);
});

test('a second bucp init lists the tables and makes no call that changes anything', async () => {
  const rig = await provisioned();
  rig.emulator.resetCalls();
  expect(await rig.tracker.ensureLayout(trackerLayout(DEFAULT_DEPARTMENTS))).toEqual({ created: [], repaired: [] });
  expect(await rig.restricted.ensureLayout(restrictedLayout())).toEqual({ created: [], repaired: [] });
  expect(rig.emulator.stats).toMatchObject({ metaWrites: 0, writes: 0, metaReads: 2 });
});

test('bucp init repairs a base missing a table, a field and a choice, and leaves staff records and fields alone', async () => {
  const rig = await provisioned();
  const base = rig.trackerBaseId;
  rig.emulator.deleteTable(base, 'Disputes');
  rig.emulator.deleteField(base, 'Proposals', 'Notes');
  rig.emulator.deleteChoice(base, 'Proposals', 'Stage', 'Signatures');
  rig.emulator.deleteChoice(base, 'Proposals', 'Stage', 'Filed');
  rig.emulator.addField(base, 'Proposals', { name: 'Staff Own Field', type: 'singleLineText' });
  rig.emulator.addChoice(base, 'Proposals', 'Outcome', 'Staff Own Choice');
  const staffRecord = rig.emulator.addRecord(base, 'Proposals', {
    'BUCP ID': 'B-1',
    Stage: 'Drafting',
    Outcome: 'Staff Own Choice',
    'Staff Own Field': 'kept',
  });
  const before = rig.emulator.record(base, 'Proposals', staffRecord);
  rig.emulator.resetCalls();

  const report = await rig.tracker.ensureLayout(trackerLayout(DEFAULT_DEPARTMENTS));
  expect(report).toEqual({
    created: ['table "Disputes"'],
    repaired: [
      'table "Proposals": the field "Notes"',
      'table "Proposals": the choice(s) "Signatures", "Filed" to "Stage"',
    ],
  });
  const proposals = schema(rig, base, 'Proposals');
  expect(field(proposals, 'Notes')?.type).toBe('multilineText');
  expect(
    field(proposals, 'Stage')!
      .options!.choices!.map((c) => c.name)
      .sort(),
  ).toEqual([...STAGES].sort());
  expect(field(proposals, 'Staff Own Field')).toBeDefined();
  expect(field(proposals, 'Outcome')!.options!.choices!.map((c) => c.name)).toContain('Staff Own Choice');
  // Staff data: the one record is exactly as it was, and it is the only record.
  expect(rig.emulator.records(base, 'Proposals')).toEqual([before]);
  // The choices came through records made for them and deleted at once: no write named a staff record.
  const recordWrites = rig.emulator.calls.filter((c) => c.kind === 'write');
  expect(recordWrites.map((c) => c.api)).toEqual(['records.create', 'records.delete']);
  expect(JSON.stringify(recordWrites.map((c) => c.body ?? c.query))).not.toContain(staffRecord);

  rig.emulator.resetCalls();
  expect(await rig.tracker.ensureLayout(trackerLayout(DEFAULT_DEPARTMENTS))).toEqual({ created: [], repaired: [] });
  expect(rig.emulator.stats.metaWrites + rig.emulator.stats.writes).toBe(0);
});
