// The Airtable store against an emulator that refuses, limits and fails as Airtable does: every
// failure reaches the caller as an Error that says what to do, transient ones are retried within
// bounds, and a record that staff delete between the read and the write is reported, not fatal.
import { afterEach, describe, expect, test } from 'vitest';
import { readActivityLog } from '../../src/core/activity.ts';
import { DEFAULT_DEPARTMENTS } from '../../src/core/config.ts';
import { PROPOSAL_COLUMNS, DISPUTE_COLUMNS, TABS } from '../../src/core/contract.ts';
import { restrictedLayout, trackerLayout } from '../../src/core/layout.ts';
import { AirtableApiError } from '../../src/stores/airtable/transport.ts';
import {
  type AirtableRig,
  type AirtableRigOptions,
  TEST_TOKEN,
  airtableRig,
  airtableWorkspace,
} from '../support/airtable.ts';
import { enteredDaysAgo, proposal } from '../support/workspace.ts';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

async function provisioned(options: AirtableRigOptions = {}): Promise<AirtableRig> {
  const rig = await airtableRig(options);
  stops.push(() => rig.stop());
  await rig.tracker.ensureLayout(trackerLayout(DEFAULT_DEPARTMENTS));
  await rig.restricted.ensureLayout(restrictedLayout());
  return rig;
}

const addProposals = (rig: AirtableRig, ids: readonly string[]) => {
  for (const id of ids) rig.emulator.addRecord(rig.trackerBaseId, TABS.proposals, { 'BUCP ID': id, Stage: 'Drafting' });
};

const statusWrite = (ids: readonly string[]) => ({
  cells: ids.map((id) => ({
    tab: TABS.proposals,
    id,
    values: { Status: { kind: 'text' as const, value: `status of ${id}` } },
  })),
  appendActivity: [],
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('errors a person can act on', () => {
  const tokens = (grant: Record<string, unknown>) => ({
    emulator: { tokens: { [TEST_TOKEN]: {}, patLimited: grant } as never },
  });

  test('a token not granted the base says to check the base ID and grant the token that base', async () => {
    const rig = await provisioned(tokens({ bases: [] }));
    const store = rig.newTracker({ token: 'patLimited' });
    const error = await failure(store.read());
    expect(error).toBeInstanceOf(AirtableApiError);
    expect(error.message).toContain(`found no base ${rig.trackerBaseId}`);
    expect(error.message).toMatch(/check the base ID in the config .* grant the token that base/);
  });

  test('a token without a scope names the scope it lacks', async () => {
    const rig = await provisioned(tokens({ scopes: ['data.records:read', 'schema.bases:read'] }));
    addProposals(rig, ['B-1']);
    const store = rig.newTracker({ token: 'patLimited' });
    await store.read();
    const error = await failure(store.write(statusWrite(['B-1'])));
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toContain('lacks the scope data.records:write');
  });

  test('a token without schema.bases:read says so', async () => {
    const rig = await provisioned(tokens({ scopes: ['data.records:read', 'data.records:write'] }));
    const error = await failure(rig.newTracker({ token: 'patLimited' }).read());
    expect(error.message).toContain('lacks the scope schema.bases:read');
  });

  test('a wrong token says to create one with the scopes and put it in the variable', async () => {
    const rig = await provisioned(tokens({}));
    const error = await failure(rig.newTracker({ token: 'patWrong', tokenEnv: 'BUCP_AIRTABLE' }).read());
    expect(error.message).toMatch(
      /rejected the token in BUCP_AIRTABLE .*data\.records:read, data\.records:write, schema\.bases:read, schema\.bases:write/,
    );
  });

  test('a field the base lacks is a layout problem that says to run bucp init, and other tables still read', async () => {
    const rig = await provisioned();
    rig.emulator.deleteField(rig.trackerBaseId, TABS.proposals, 'Row Issues');
    addProposals(rig, ['B-1']);
    const snapshot = await rig.newTracker().read();
    expect(snapshot.layoutProblems).toEqual([
      'The "Proposals" table lacks the field(s) "Row Issues": run `bucp init` to add them',
    ]);
    expect(snapshot.proposals.rows).toHaveLength(1);
  });
});

describe('retries', () => {
  test('a 429 costs the 30 s Airtable asks for, then the call goes on', async () => {
    const rig = await provisioned();
    addProposals(rig, ['B-1']);
    rig.emulator.failNext(1, 429, { kinds: ['read'] });
    const snapshot = await rig.tracker.read();
    expect(snapshot.proposals.rows).toHaveLength(1);
    expect(rig.clock.waits).toContain(30_000);
  });

  test('a Metadata API 429 with Retry-After waits what it says', async () => {
    const rig = await provisioned();
    rig.emulator.failNext(1, 429, { kinds: ['meta-read'], retryAfterSeconds: 7 });
    await rig.newTracker().read();
    expect(rig.clock.waits).toContain(7_000);
    expect(rig.clock.waits).not.toContain(30_000);
  });

  test('5xx answers and dropped connections are retried with bounded, jittered backoff', async () => {
    const rig = await provisioned();
    addProposals(rig, ['B-1', 'B-2']);
    const retries: { status: number | undefined; delayMs: number }[] = [];
    const store = rig.newTracker({ onRetry: ({ status, delayMs }) => retries.push({ status, delayMs }) });
    await store.read();
    rig.emulator.failNext(1, 503, { kinds: ['write'] });
    rig.emulator.failNext(1, 'drop', { kinds: ['write'] });
    rig.emulator.failNext(1, 500, { kinds: ['write'] });
    const result = await store.write(statusWrite(['B-1', 'B-2']));
    expect(result.missingIds).toEqual([]);
    expect(rig.emulator.records(rig.trackerBaseId, TABS.proposals).map((r) => r.fields.Status)).toEqual([
      'status of B-1',
      'status of B-2',
    ]);
    expect(retries.map((r) => r.status)).toEqual([503, undefined, 500]);
    // Full jitter under a ceiling that doubles from the policy's 20 ms, truncated at 200 ms.
    retries.forEach((r, i) => expect(r.delayMs).toBeLessThanOrEqual(Math.min(20 * 2 ** i, 200)));
  });

  test('an Activity Log create or PATCH whose answer is lost after Airtable applied it is retried, and every line reads back once', async () => {
    const rig = await provisioned();
    const event = (i: number, at: string) => ({
      at,
      on: at.slice(0, 10),
      bucpId: `B-${i}`,
      disputeId: '',
      kind: 'first-seen' as const,
      from: '',
      to: 'Drafting',
      detail: `event ${i}`,
      key: `k-${i}`,
    });
    await rig.tracker.read();
    // The day's first lines: a create, applied, then the connection drops before the answer.
    rig.emulator.failNext(1, 'drop', { kinds: ['write'], afterApply: true });
    await rig.tracker.write({
      cells: [],
      appendActivity: [event(1, '2026-11-23T08:00:00-08:00'), event(2, '2026-11-23T08:00:00-08:00')],
    });
    // More lines that day: a PATCH of the day's record, applied, then the answer is lost.
    rig.emulator.failNext(1, 'drop', { kinds: ['write'], afterApply: true });
    await rig.tracker.write({ cells: [], appendActivity: [event(3, '2026-11-23T08:15:00-08:00')] });
    const records = rig.emulator.records(rig.trackerBaseId, TABS.activity);
    expect(records).toHaveLength(2); // the create landed twice
    const { activity } = await rig.newTracker().read();
    expect(readActivityLog(activity.rows).map((e) => e.key)).toEqual(['k-1', 'k-2', 'k-3']);
  });

  test("staff deleting the day's Activity Log record between read and write loses no line the store holds", async () => {
    const rig = await provisioned();
    const event = (i: number) => ({
      at: `2026-11-23T08:0${i}:00-08:00`,
      on: '2026-11-23',
      bucpId: `B-${i}`,
      disputeId: '',
      kind: 'first-seen' as const,
      from: '',
      to: 'Drafting',
      detail: `event ${i}`,
      key: `k-${i}`,
    });
    await rig.tracker.write({ cells: [], appendActivity: [event(1), event(2)] });
    await rig.tracker.read();
    rig.emulator.onBeforeWrite(({ staff }) => {
      for (const r of staff.records(rig.trackerBaseId, TABS.activity)) {
        staff.deleteRecord(rig.trackerBaseId, TABS.activity, r.id);
      }
    });
    await rig.tracker.write({ cells: [], appendActivity: [event(3)] });
    const { activity } = await rig.newTracker().read();
    expect(readActivityLog(activity.rows).map((e) => e.key)).toEqual(['k-1', 'k-2', 'k-3']);
  });

  test('a fault that does not go away ends in an Error after the bounded tries, saying the next cycle tries again', async () => {
    const rig = await provisioned();
    rig.emulator.failNext(100, 503, { kinds: ['read'] });
    const error = await failure(rig.tracker.read());
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toMatch(/still failed after 8 tries .*next cycle will try again/);
    rig.emulator.clearFaults();
  });

  test('a listing whose page iterator expired (LIST_RECORDS_ITERATOR_NOT_AVAILABLE) starts over, and reads every record once', async () => {
    let expireOnce: (() => void) | undefined;
    const holder: { rig?: AirtableRig } = {};
    const rig = await airtableRig({
      transport: {
        // Between the first and the second page of Proposals, Airtable forgets the listing.
        wait: async (ms) => {
          expireOnce?.();
          await holder.rig!.clock.wait(ms);
        },
      },
    });
    holder.rig = rig;
    stops.push(() => rig.stop());
    await rig.tracker.ensureLayout(trackerLayout(DEFAULT_DEPARTMENTS));
    addProposals(
      rig,
      Array.from({ length: 250 }, (_, i) => `B-${i + 1}`),
    );
    const proposalsId = (rig.emulator.tableSchema(rig.trackerBaseId, TABS.proposals) as { id: string }).id;
    rig.emulator.resetCalls();
    expireOnce = () => {
      const pages = rig.emulator.calls.filter((c) => c.api === 'records.list' && c.tableId === proposalsId);
      if (pages.length !== 1) return;
      rig.emulator.expireIterators(rig.trackerBaseId);
      expireOnce = undefined;
    };
    const snapshot = await rig.tracker.read();
    expect(snapshot.proposals.rows).toHaveLength(250);
    expect(new Set(snapshot.proposals.rows.map((r) => r.cells['BUCP ID'])).size).toBe(250);
    const lists = rig.emulator.calls.filter((c) => c.api === 'records.list' && c.tableId === proposalsId);
    // Only that table's listing started over: the read did not fall back to listing the base's tables again.
    expect(rig.emulator.stats.metaReads).toBe(0);
    expect(lists.map((c) => c.errorType ?? 'ok')).toEqual([
      'ok',
      'LIST_RECORDS_ITERATOR_NOT_AVAILABLE',
      'ok',
      'ok',
      'ok',
    ]);
  });
});

describe('records, not rows', () => {
  test('a record staff delete between the read and the write is reported missing; the others are written', async () => {
    const rig = await provisioned();
    addProposals(rig, ['B-1', 'B-2', 'B-3']);
    await rig.tracker.read();
    rig.emulator.onBeforeWrite(({ staff }) => {
      const gone = staff.records(rig.trackerBaseId, TABS.proposals).find((r) => r.fields['BUCP ID'] === 'B-2')!;
      staff.deleteRecord(rig.trackerBaseId, TABS.proposals, gone.id);
    });
    const result = await rig.tracker.write(statusWrite(['B-1', 'B-2', 'B-3']));
    expect(result.missingIds).toEqual(['B-2']);
    expect(
      rig.emulator.records(rig.trackerBaseId, TABS.proposals).map((r) => [r.fields['BUCP ID'], r.fields.Status]),
    ).toEqual([
      ['B-1', 'status of B-1'],
      ['B-3', 'status of B-3'],
    ]);
  });

  test('a whole cycle PATCHes only system fields, never PUTs, and two records with one BUCP ID are a row issue', async () => {
    const ws = await airtableWorkspace({ emulator: { recordBodies: true } });
    stops.push(() => ws.stop());
    ws.addProposals([
      proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20), Notes: 'staff note' }),
      proposal('B-2', { Stage: 'Concept', 'Stage Entered On': enteredDaysAgo('2026-11-23', 3) }),
      proposal('B-2', { Stage: 'Filed', 'Stage Entered On': enteredDaysAgo('2026-11-23', 3) }),
    ]);
    ws.addRestricted([{ 'BUCP ID': 'B-1' }, { 'BUCP ID': 'B-2' }]);
    const report = await ws.run('2026-11-23T08:00');
    expect(report.rowIssues.some((i) => i.id === 'B-2' && /B-2/.test(i.message))).toBe(true);
    const system = new Map([
      [TABS.proposals, new Set(PROPOSAL_COLUMNS.filter((c) => c.owner === 'system').map((c) => c.header))],
      [TABS.disputes, new Set(DISPUTE_COLUMNS.filter((c) => c.owner === 'system').map((c) => c.header))],
    ]);
    const tableNames = new Map(
      [TABS.proposals, TABS.disputes].map((t) => [
        (ws.emulator.tableSchema(ws.trackerBaseId, t) as { id: string }).id,
        t,
      ]),
    );
    const updates = ws.emulator.calls.filter((c) => c.api === 'records.update' && tableNames.has(c.tableId ?? ''));
    expect(updates.length).toBeGreaterThan(0);
    for (const call of updates) {
      const allowed = system.get(tableNames.get(call.tableId!)!)!;
      for (const record of (call.body as { records: { fields: Record<string, unknown> }[] }).records) {
        for (const field of Object.keys(record.fields)) expect(allowed.has(field), field).toBe(true);
      }
    }
    expect(ws.emulator.calls.filter((c) => c.api === 'records.replace')).toEqual([]);
    expect(ws.records(TABS.proposals)[0]!.fields.Notes).toBe('staff note');
  });
});

describe('staff select values', () => {
  test('a choice staff added in Airtable that the contract does not know is a row issue naming the field; other rows sync', async () => {
    const ws = await airtableWorkspace();
    stops.push(() => ws.stop());
    // In the Airtable UI a person may type a new choice into a select: the field takes it.
    ws.emulator.addChoice(ws.trackerBaseId, TABS.proposals, 'Stage', 'Parked');
    ws.addProposals([
      proposal('B-1', { Stage: 'Parked', 'Stage Entered On': enteredDaysAgo('2026-11-23', 3) }),
      proposal('B-2', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 3) }),
    ]);
    const report = await ws.run('2026-11-23T08:00');
    expect(report.rowIssues).toContainEqual(
      expect.objectContaining({ tab: 'Proposals', id: 'B-1', column: 'Stage', severity: 'error' }),
    );
    const statuses = new Map(ws.records(TABS.proposals).map((r) => [r.fields['BUCP ID'], r.fields.Status]));
    expect(statuses.get('B-2')).toBe('On Track');
    expect(ws.records(TABS.issues).some((r) => r.fields.ID === 'B-1' && r.fields.Column === 'Stage')).toBe(true);
  });
});

describe('record budget', () => {
  test('past 80% of the base record limit, the cycle warns on the Issues table', async () => {
    const ws = await airtableWorkspace({ recordLimit: 40 });
    stops.push(() => ws.stop());
    ws.addProposals(
      Array.from({ length: 34 }, (_, i) =>
        proposal(`B-${i + 1}`, { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 1) }),
      ),
    );
    const report = await ws.run('2026-11-23T08:00');
    expect(report.ok).toBe(true);
    const issues = ws.records(TABS.issues).map((r) => String(r.fields.Message ?? ''));
    expect(issues.some((m) => /% or more of Airtable's limit of 40 records per base/.test(m))).toBe(true);
  });
});
