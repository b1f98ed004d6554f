import { describe, expect, test } from 'vitest';
import { type ActivityEvent, stampAt } from '../../src/core/activity.ts';
import { BusinessCalendar } from '../../src/core/calendar.ts';
import type { CellValue } from '../../src/core/cells.ts';
import { type ConfigInput, parseConfig } from '../../src/core/config.ts';
import { PROPOSAL_COLUMNS } from '../../src/core/contract.ts';
import { parseTracker, planCycle } from '../../src/core/cycle.ts';
import { parseProposals } from '../../src/core/schema.ts';
import { type History, foldEvents } from '../../src/core/history.ts';
import { filingDueOn, isSubmitted } from '../../src/core/liaison-notices.ts';
import type { PlannedNotification } from '../../src/core/notifications.ts';
import { renewalWindows, termStatus } from '../../src/core/term.ts';

// December 2026: Christmas Friday the 25th; January 2027: New Year's Day Friday the 1st, MLK Day Monday the 18th.
const calendar = new BusinessCalendar();
const RULES = { renewalDaysBefore: [90, 30], dispositionOverdueDays: 10 };

describe('term status', () => {
  test.each([
    // [End Date, disposition, stage, today, status]
    [null, null, 'Active', '2026-12-01', null],
    ['2027-06-30', null, 'Active', '2026-12-01', 'Active'],
    ['2027-03-01', null, 'Active', '2026-12-01', 'Ending Soon'], // 90 days ahead: inside the window
    ['2027-03-02', null, 'Active', '2026-12-01', 'Active'], // 91 days ahead
    ['2026-12-01', null, 'Active', '2026-12-01', 'Ending Soon'], // its last day
    ['2026-12-01', null, 'Active', '2026-12-02', 'Disposition Due'],
    ['2026-12-01', null, 'Closed', '2026-12-11', 'Disposition Due'], // 10 days past: not yet overdue
    ['2026-12-01', null, 'Closed', '2026-12-12', 'Disposition Overdue'], // 11 days past
    ['2026-12-01', 'Destroyed', 'Closed', '2026-12-12', 'Closed Out'],
    ['2027-06-30', 'Returned', 'Active', '2026-12-01', 'Closed Out'], // returned early
    ['2026-12-01', null, 'Withdrawn', '2026-12-12', null], // no agreement in force
  ] as const)('End %s, %s, %s, on %s → %s', (endDate, dataDisposition, stage, today, expected) => {
    expect(termStatus({ endDate, dataDisposition, stage }, today, RULES)).toBe(expected);
  });

  test('the overdue threshold and the renewal window come from config', () => {
    const rules = { renewalDaysBefore: [60, 14], dispositionOverdueDays: 3 };
    expect(termStatus({ endDate: '2027-01-30', dataDisposition: null, stage: 'Active' }, '2026-12-01', rules)).toBe(
      'Ending Soon',
    );
    expect(termStatus({ endDate: '2027-03-01', dataDisposition: null, stage: 'Active' }, '2026-12-01', rules)).toBe(
      'Active',
    );
    expect(termStatus({ endDate: '2026-11-27', dataDisposition: null, stage: 'Active' }, '2026-12-01', rules)).toBe(
      'Disposition Overdue',
    );
  });
});

test('renewal windows: each point is due from its day until the next one begins', () => {
  expect(renewalWindows('2027-03-31', [30, 90, 30])).toEqual([
    { point: 90, from: '2026-12-31', until: '2027-03-01' },
    { point: 30, from: '2027-03-01', until: '2027-03-31' },
  ]);
});

describe('submitted and filing', () => {
  const finding = (stage: string, submittedOn: string | null) =>
    ({ stage, proposal: { submittedOn } }) as unknown as Parameters<typeof isSubmitted>[0];
  test.each([
    ['Drafting', null, false],
    ['Internal Review', '2026-11-02', true],
    ['Provider Review', null, true],
    ['Active', null, true],
    ['Closed', null, true],
    ['Withdrawn', null, false],
  ] as const)('%s with Submitted On %s: submitted %s', (stage, submittedOn, expected) => {
    expect(isSubmitted(finding(stage, submittedOn))).toBe(expected);
  });

  test.each([
    // Approved On, business days, first reminder: more than N business days later, holidays skipped.
    ['2026-12-14', 5, '2026-12-22'], // Mon 14 + 5 = Mon 21 passed; reminded Tue 22
    ['2026-12-18', 5, '2026-12-29'], // Christmas Friday 25 skipped: 21, 22, 23, 24, 28; reminded 29
    ['2026-12-24', 5, '2027-01-05'], // 28, 29, 30, 31, (New Year's Day) 4; reminded 5
    ['2027-01-08', 5, '2027-01-19'], // Saturday, Sunday, MLK Day 18 skipped: 11–15; reminded 19
    ['2026-12-19', 1, '2026-12-22'], // approved on a Saturday: 21 is the first business day after
  ] as const)('approved %s, %i business days: first reminded %s', (approvedOn, n, expected) => {
    expect(filingDueOn(approvedOn, calendar, n)).toBe(expected);
  });
});

// ---------------------------------------------------------------------------------------------------
// The pure core over several days: each day planCycle plans, and every planned message is taken as
// sent (its intent, its sent line and its onSent lines folded into the memory), as a cycle does.

type Row = Record<string, CellValue>;

const CONTACTS = { governanceLiaison: 'liaison@chhs.example.gov' };
const REQ = 'req@dhcs.example.gov';
const PROV = 'prov@cdph.example.gov';

function row(id: string, fields: Row): Row {
  return {
    'BUCP ID': id,
    'Use Case Name': `Use case ${id}`,
    'Requesting Department': 'DHCS',
    'Providing Department': 'CDPH',
    'Requesting Coordinator Email': REQ,
    'Providing Coordinator Email': PROV,
    Stage: 'Active',
    'Stage Entered On': '2026-01-05',
    ...fields,
  };
}

interface Simulation {
  /** Runs the days in turn; returns what was sent each day, as `kind to: item levels or key`. */
  run(days: readonly string[]): Record<string, string[]>;
  history(): History;
}

function simulate(rows: readonly Row[], overrides: Partial<ConfigInput> = {}, history?: History): Simulation {
  const parsedConfig = parseConfig({
    store: { kind: 'xlsx', path: 't.xlsx', restrictedPath: 'r.xlsx' },
    mail: { kind: 'outbox', dir: 'out' },
    contacts: CONTACTS,
    ...overrides,
  });
  if (!parsedConfig.ok) throw new Error(JSON.stringify(parsedConfig.problems));
  const config = parsedConfig.config;
  const headers = PROPOSAL_COLUMNS.map((c) => c.header);
  const empty = { headers: [], rows: [] };
  let memory = history;
  const runDay = (day: string): string[] => {
    const now = new Date(`${day}T16:00:00Z`);
    const snapshot = {
      proposals: { headers, rows: rows.map((cells, i) => ({ rowNumber: i + 2, cells })) },
      disputes: empty,
      tasks: empty,
      activity: empty,
      layoutProblems: [],
    };
    const parsed = parseTracker(snapshot, { config, now });
    const plan = planCycle({ ...parsed, history: memory ?? parsed.history }, new Set(), {
      config,
      now,
      link: (_tab, id) => `https://tracker/${id}`,
    });
    const stamp = stampAt(`${day}T08:00:00-08:00`);
    const sentLines: ActivityEvent[] = plan.notifications.flatMap((n) => [
      stamp({
        on: day,
        bucpId: '',
        disputeId: '',
        kind: 'notification-sent',
        from: n.kind,
        to: '',
        detail: '',
        key: n.key,
      }),
      ...n.onSent.map(stamp),
    ]);
    memory = foldEvents(plan.history, sentLines);
    return plan.notifications.filter((n) => n.kind !== 'manager-digest').map(describeMessage);
  };
  return {
    run: (days) => Object.fromEntries(days.map((day) => [day, runDay(day)])),
    history: () => memory!,
  };
}

function describeMessage(n: PlannedNotification): string {
  if (n.template === 'reminder-digest' || n.template === 'next-action') {
    const groups = n.data.groups as { items: { bucpId: string; level: string }[] }[];
    const items = groups.flatMap((g) => g.items.map((i) => `${i.level} ${i.bucpId}`));
    return `digest ${n.to.join()}: ${items.join(', ')}`;
  }
  return `${n.kind} ${n.to.join()} cc ${n.cc.join() || '-'}: ${n.bucpIds.join()}`;
}

describe('renewal points over days', () => {
  test('each point sends once to both coordinators, even when its day falls on a weekend or the service was down', () => {
    // End Date 2027-03-31: the 90-day point is Thu 2026-12-31, the 30-day point Mon 2027-03-01.
    const sim = simulate([row('R-1', { 'End Date': '2027-03-31' })]);
    expect(
      sim.run([
        '2026-12-30', // before the first point
        '2026-12-31', // the 90-day point
        '2027-01-04', // New Year's Day was in between: nothing again
        '2027-02-26', // still inside the 90-day window, already sent
        // Down from 2027-03-01 to 03-03: the 30-day point goes out on the first cycle after it.
        '2027-03-04',
        '2027-03-05',
        '2027-03-31', // the last day of the agreement: nothing more
      ]),
    ).toEqual({
      '2026-12-30': [],
      '2026-12-31': [`digest ${PROV}: renewal R-1`, `digest ${REQ}: renewal R-1`],
      '2027-01-04': [],
      '2027-02-26': [],
      '2027-03-04': [`digest ${PROV}: renewal R-1`, `digest ${REQ}: renewal R-1`],
      '2027-03-05': [],
      '2027-03-31': [],
    });
  });

  test('a service down through a whole window sends only the point now current', () => {
    const sim = simulate([row('R-2', { 'End Date': '2027-03-31' })]);
    // First seen on 03-10: the 90-day window is over, the 30-day one is open.
    const days = sim.run(['2027-03-10', '2027-03-11']);
    expect(days['2027-03-10']).toEqual([`digest ${PROV}: renewal R-2`, `digest ${REQ}: renewal R-2`]);
    expect(days['2027-03-11']).toEqual([]);
    const renewals = [...sim.history().proposals.get('R-2')!.term.renewalSent].sort();
    expect(renewals).toEqual([`2027-03-31|30|${PROV}`, `2027-03-31|30|${REQ}`]);
  });

  test('a point on a Saturday goes out the Monday after', () => {
    // End Date 2027-03-05: the 90-day point is Saturday 2026-12-05.
    const sim = simulate([row('R-3', { 'End Date': '2027-03-05' })]);
    expect(sim.run(['2026-12-04', '2026-12-05', '2026-12-07', '2026-12-08'])).toEqual({
      '2026-12-04': [],
      '2026-12-05': [],
      '2026-12-07': [`digest ${PROV}: renewal R-3`, `digest ${REQ}: renewal R-3`],
      '2026-12-08': [],
    });
  });

  test('a new End Date (a renewal) starts the points afresh', () => {
    const rows = [row('R-4', { 'End Date': '2027-01-30' })];
    const sim = simulate(rows);
    expect(sim.run(['2026-12-31'])['2026-12-31']).toHaveLength(2); // the 30-day point
    rows[0] = row('R-4', { 'End Date': '2028-01-30' });
    expect(sim.run(['2027-01-04', '2027-11-01'])).toEqual({
      '2027-01-04': [],
      '2027-11-01': [`digest ${PROV}: renewal R-4`, `digest ${REQ}: renewal R-4`], // 90 days before 2028-01-30
    });
  });
});

describe('disposition due and overdue over days', () => {
  test('the requesting coordinator is reminded once, then the liaison gets one escalation with both coordinators copied', () => {
    const sim = simulate([row('D-1', { Stage: 'Closed', 'End Date': '2026-12-10' })]);
    expect(
      sim.run([
        '2026-12-10', // its last day
        '2026-12-11', // passed: due
        '2026-12-14',
        '2026-12-21', // 11 days past: overdue
        '2026-12-22',
      ]),
    ).toEqual({
      '2026-12-10': [],
      '2026-12-11': [`digest ${REQ}: disposition-due D-1`],
      '2026-12-14': [],
      '2026-12-21': [`disposition-escalation ${CONTACTS.governanceLiaison} cc ${REQ},${PROV}: D-1`],
      '2026-12-22': [],
    });
  });

  test('an End Date on a Friday before Christmas: due on the next business day, overdue after ten calendar days', () => {
    // End Fri 2026-12-18: passed Saturday, so the reminder goes Monday the 21st; 10 days past is the 28th.
    const sim = simulate([row('D-2', { 'End Date': '2026-12-18' })]);
    expect(sim.run(['2026-12-19', '2026-12-21', '2026-12-28', '2026-12-29'])).toEqual({
      '2026-12-19': [],
      '2026-12-21': [`digest ${REQ}: disposition-due D-2`],
      '2026-12-28': [],
      '2026-12-29': [`disposition-escalation ${CONTACTS.governanceLiaison} cc ${REQ},${PROV}: D-2`],
    });
  });

  test('a recorded disposition closes it out: nothing more is sent', () => {
    const rows = [row('D-3', { 'End Date': '2026-12-10' })];
    const sim = simulate(rows);
    expect(sim.run(['2026-12-11'])['2026-12-11']).toEqual([`digest ${REQ}: disposition-due D-3`]);
    rows[0] = row('D-3', { 'End Date': '2026-12-10', 'Data Disposition': 'Destroyed', 'Disposition On': '2026-12-14' });
    expect(sim.run(['2026-12-21', '2026-12-22'])).toEqual({ '2026-12-21': [], '2026-12-22': [] });
  });

  test('first seen already overdue: only the escalation, once', () => {
    const sim = simulate([row('D-4', { 'End Date': '2026-11-02' })], { term: { dispositionOverdueDays: 5 } });
    expect(sim.run(['2026-12-01', '2026-12-02'])).toEqual({
      '2026-12-01': [`disposition-escalation ${CONTACTS.governanceLiaison} cc ${REQ},${PROV}: D-4`],
      '2026-12-02': [],
    });
  });
});

describe("the Governance Liaison's notices over days", () => {
  const ON = { notices: { submitted: true, filing: true } };

  test('one submitted notice per proposal, when it first has Submitted On or reaches Provider Review', () => {
    const rows = [
      row('S-1', { Stage: 'Drafting', 'Stage Entered On': '2026-11-30' }),
      row('S-2', { Stage: 'Internal Review', 'Stage Entered On': '2026-11-30', 'Submitted On': '2026-11-30' }),
    ];
    const sim = simulate(rows, ON);
    const first = sim.run(['2026-12-01', '2026-12-02']);
    expect(first).toEqual({
      '2026-12-01': [`liaison-notice ${CONTACTS.governanceLiaison} cc ${REQ}: S-2`],
      '2026-12-02': [],
    });
    rows[0] = row('S-1', { Stage: 'Provider Review', 'Stage Entered On': '2026-12-02' });
    rows[1] = row('S-2', { Stage: 'Provider Review', 'Stage Entered On': '2026-12-02', 'Submitted On': '2026-11-30' });
    expect(sim.run(['2026-12-03', '2026-12-04'])).toEqual({
      '2026-12-03': [`liaison-notice ${CONTACTS.governanceLiaison} cc ${REQ}: S-1`],
      '2026-12-04': [],
    });
  });

  test('a row first seen past the review was announced long ago; one seen before submission is announced when it moves on', () => {
    const rows = [
      row('A-1', { Stage: 'Active', 'Submitted On': '2026-03-02' }),
      row('A-2', { Stage: 'Drafting', 'Stage Entered On': '2026-11-30' }),
    ];
    const sim = simulate(rows, { ...ON, slas: { Drafting: null, Signatures: null } });
    expect(sim.run(['2026-12-01'])).toEqual({ '2026-12-01': [] });
    // Staff record it late: it went through Provider Review between two cycles.
    rows[1] = row('A-2', { Stage: 'Signatures', 'Stage Entered On': '2026-12-02', 'Submitted On': '2026-12-01' });
    expect(sim.run(['2026-12-03', '2026-12-04'])).toEqual({
      '2026-12-03': [`liaison-notice ${CONTACTS.governanceLiaison} cc ${REQ}: A-2`],
      '2026-12-04': [],
    });
  });

  test('the filing reminder: after five business days, again on the reminder schedule, until Filed On is filled', () => {
    const rows = [row('F-1', { Stage: 'Signatures', 'Stage Entered On': '2026-12-18', 'Approved On': '2026-12-18' })];
    const sim = simulate(rows, { ...ON, notices: { filing: true }, slas: { Signatures: null } });
    expect(
      sim.run([
        '2026-12-28', // 21, 22, 23, 24, 28: five business days (Christmas skipped)
        '2026-12-29', // more than five: reminded
        '2026-12-30',
        '2027-01-06', // 30, 31, 4, 5, 6: five business days after the 29th (New Year's Day skipped)
        '2027-01-07',
      ]),
    ).toEqual({
      '2026-12-28': [],
      '2026-12-29': [`digest ${PROV}: filing F-1`],
      '2026-12-30': [],
      '2027-01-06': [`digest ${PROV}: filing F-1`],
      '2027-01-07': [],
    });
    rows[0] = row('F-1', { Stage: 'Filed', 'Approved On': '2026-12-18', 'Filed On': '2027-01-07' });
    expect(sim.run(['2027-01-13', '2027-01-14'])).toEqual({ '2027-01-13': [], '2027-01-14': [] });
  });

  test.each(['Closed', 'Withdrawn'])('a %s proposal is not chased to file', (stage) => {
    const sim = simulate(
      [row('C-1', { Stage: stage, 'Approved On': '2026-11-02', 'Stage Entered On': '2026-11-20' })],
      {
        notices: { filing: true },
      },
    );
    expect(sim.run(['2026-12-01'])).toEqual({ '2026-12-01': [] });
  });

  test('notices off: nothing goes to the liaison and nobody is reminded to file', () => {
    const sim = simulate(
      [
        row('O-1', { Stage: 'Provider Review', 'Stage Entered On': '2026-11-30', 'Submitted On': '2026-11-30' }),
        row('O-2', { Stage: 'Signatures', 'Approved On': '2026-11-02', 'Stage Entered On': '2026-11-02' }),
      ],
      { slas: { Signatures: null, 'Provider Review': null } },
    );
    expect(sim.run(['2026-12-01'])).toEqual({ '2026-12-01': [] });
  });

  test('switched on for a tracker the service already knows: only proposals reaching the event afterwards', () => {
    const rows = [
      // Already submitted and already due for filing when the notices are switched on.
      row('OLD-1', { Stage: 'Provider Review', 'Stage Entered On': '2026-11-02', 'Submitted On': '2026-11-02' }),
      row('OLD-2', { Stage: 'Signatures', 'Stage Entered On': '2026-11-02', 'Approved On': '2026-11-02' }),
      // Approved, but not yet due for filing: it gets its reminder when it is.
      row('NEW-3', { Stage: 'Signatures', 'Stage Entered On': '2026-12-01', 'Approved On': '2026-12-01' }),
      row('NEW-4', { Stage: 'Drafting', 'Stage Entered On': '2026-11-30' }),
    ];
    const slas = { 'Provider Review': null, Signatures: null, Drafting: null };
    // A week of cycles with the notices off: the service knows the tracker.
    const off = simulate(rows, { slas });
    off.run(['2026-12-01', '2026-12-02']);
    const on = simulate(rows, { ...ON, slas }, off.history());
    expect(on.run(['2026-12-03', '2026-12-04'])).toEqual({ '2026-12-03': [], '2026-12-04': [] });
    rows[3] = row('NEW-4', {
      Stage: 'Provider Review',
      'Stage Entered On': '2026-12-07',
      'Submitted On': '2026-12-07',
    });
    expect(on.run(['2026-12-07', '2026-12-08', '2026-12-09'])).toEqual({
      '2026-12-07': [`liaison-notice ${CONTACTS.governanceLiaison} cc ${REQ}: NEW-4`],
      '2026-12-08': [],
      '2026-12-09': [`digest ${PROV}: filing NEW-3`], // more than 5 business days after 12-01
    });
    // Switched off and on again: a new baseline, so proposals submitted while it was off are not announced.
    rows.push(
      row('MID-5', { Stage: 'Provider Review', 'Stage Entered On': '2026-12-10', 'Submitted On': '2026-12-10' }),
    );
    const offAgain = simulate(rows, { slas }, on.history());
    offAgain.run(['2026-12-10']);
    const onAgain = simulate(rows, { ...ON, slas }, offAgain.history());
    expect(onAgain.run(['2026-12-11'])).toEqual({ '2026-12-11': [] });
  });
});

describe('row issues of the agreement end', () => {
  const parse = (fields: Row) =>
    parseProposals(
      { headers: PROPOSAL_COLUMNS.map((c) => c.header), rows: [{ rowNumber: 2, cells: row('V-1', fields) }] },
      { today: '2026-12-01', departments: ['DHCS', 'CDPH'] },
    ).issues.map((i) => [i.id, i.column, i.severity, i.message]);
  test.each([
    [
      { 'End Date': '2026-11-01', 'Disposition On': '2026-11-20' },
      'Data Disposition',
      /is blank although Disposition On is 2026-11-20/,
    ],
    [
      { 'End Date': '2026-11-30', 'Data Disposition': 'Returned', 'Disposition On': '2026-11-20' },
      'Disposition On',
      /2026-11-20 is before End Date 2026-11-30; say why in Notes/,
    ],
    [
      { 'End Date': '2026-01-31', 'First Data Transfer On': '2026-02-02' },
      'End Date',
      /2026-01-31 is before First Data Transfer On 2026-02-02/,
    ],
    [
      { 'Data Disposition': 'Burned' },
      'Data Disposition',
      /"Burned" is not a known Data Disposition; choose one of: Returned, Destroyed, Retained with Safeguards/,
    ],
  ] as const)('%j: an issue on %s', (fields, column, message) => {
    const issues = parse(fields);
    expect(issues).toHaveLength(1);
    expect(issues[0]!.slice(0, 2)).toEqual(['V-1', column]);
    expect(issues[0]![3]).toMatch(message);
  });

  test.each([
    [
      {
        'End Date': '2026-11-30',
        'Data Disposition': 'Returned',
        'Disposition On': '2026-11-20',
        Notes: 'use case ended early',
      },
    ],
    [{ 'End Date': '2026-11-01', 'Data Disposition': 'Destroyed', 'Disposition On': '2026-11-20' }],
  ])('%j: no issue', (fields) => {
    expect(parse(fields)).toEqual([]);
  });
});

describe('agreement-end metrics', () => {
  test('ending in the next 90 days, dispositions due and overdue, counted by hand', () => {
    const parsedConfig = parseConfig({
      store: { kind: 'xlsx', path: 't.xlsx', restrictedPath: 'r.xlsx' },
      mail: { kind: 'outbox', dir: 'out' },
      contacts: CONTACTS,
    });
    if (!parsedConfig.ok) throw new Error(JSON.stringify(parsedConfig.problems));
    const rows: Row[] = [
      row('M-1', { 'End Date': '2026-12-15' }), // ending in 14 days
      row('M-2', { 'End Date': '2027-02-28' }), // ending in 89 days
      row('M-3', { 'End Date': '2027-03-02' }), // 91 days: not yet
      row('M-4', { 'End Date': '2026-12-20', 'Data Disposition': 'Returned', 'Disposition On': '2026-12-01' }), // closed out
      row('M-5', { 'End Date': '2026-11-28' }), // 3 days past: due
      row('M-6', { 'End Date': '2026-11-01' }), // 30 days past: overdue
      row('M-7', { 'End Date': '2026-11-22' }), // 9 days past: due
      row('M-8', { 'End Date': '2026-11-21' }), // 10 days past: still due (overdue is more than 10)
      row('M-9', {}), // no End Date
      row('M-10', { 'End Date': '2027-01-30' }), // ending in 60 days
      row('M-11', { 'End Date': '2026-12-02' }), // ending tomorrow
      row('M-12', { 'End Date': '2027-03-01' }), // ending in exactly 90 days: counted
    ];
    const empty = { headers: [], rows: [] };
    const snapshot = {
      proposals: {
        headers: PROPOSAL_COLUMNS.map((c) => c.header),
        rows: rows.map((cells, i) => ({ rowNumber: i + 2, cells })),
      },
      disputes: empty,
      tasks: empty,
      activity: empty,
      layoutProblems: [],
    };
    const now = new Date('2026-12-01T16:00:00Z');
    const config = parsedConfig.config;
    const plan = planCycle(parseTracker(snapshot, { config, now }), new Set(), {
      config,
      now,
      link: (_tab, id) => `https://tracker/${id}`,
    });
    expect(plan.metrics.term).toEqual({ endingWithin90Days: 5, dispositionsDue: 3, dispositionsOverdue: 1 });
  });
});
