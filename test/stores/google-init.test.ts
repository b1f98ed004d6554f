import { afterEach, expect, test } from 'vitest';
import { DEFAULT_DEPARTMENTS } from '../../src/core/config.ts';
import { restrictedLayout, trackerLayout } from '../../src/core/layout.ts';
import { type GoogleRig, SERVICE_ACCOUNT, googleRig } from '../support/google.ts';

const rigs: GoogleRig[] = [];
afterEach(async () => {
  await Promise.all(rigs.splice(0).map((r) => r.stop()));
});

/** Everything init sets up, as the emulator holds it. */
function state(rig: GoogleRig, spreadsheetId: string) {
  const spreadsheet = rig.emulator.spreadsheet(spreadsheetId);
  return JSON.stringify(
    spreadsheet.sheetTitles.map((title) => {
      const sheet = rig.emulator.sheet(spreadsheetId, title);
      return {
        title,
        properties: sheet.properties,
        values: sheet.values({ render: 'FORMULA' }),
        validations: sheet.dataValidations,
        protections: sheet.protectedRanges,
        conditionalFormats: sheet.conditionalFormats,
        charts: sheet.charts,
        formats: sheet.formats,
      };
    }),
  );
}

test('bucp init provisions validation, protections, highlights and charts in one batchUpdate, and a second run is a no-op', async () => {
  const rig = await googleRig();
  rigs.push(rig);
  const layout = trackerLayout(DEFAULT_DEPARTMENTS);
  const first = await rig.tracker.ensureLayout(layout);
  expect(first.created).toEqual(
    expect.arrayContaining(['tab "Proposals"', 'tab "Disputes"', 'tab "Activity Log"', 'tab "Summary"']),
  );
  expect(rig.emulator.calls.filter((c) => c.api === 'spreadsheets.batchUpdate')).toHaveLength(1);
  expect(rig.emulator.unknownRequests).toEqual([]);

  const id = rig.tracker.spreadsheetId;
  const proposals = rig.emulator.sheet(id, 'Proposals');
  expect(proposals.values({ render: 'FORMULA' })[0]?.slice(0, 3)).toEqual([
    'BUCP ID',
    'Use Case Name',
    'Requesting Department',
  ]);
  expect(proposals.frozenRowCount).toBe(1);
  // Dropdowns: Stage is strict, departments only warn (partners outside CalHHS are fine).
  const stage = proposals.dataValidationAt('I2') as {
    condition: { type: string; values: { userEnteredValue: string }[] };
    strict?: boolean;
  };
  expect(stage.condition).toEqual({ type: 'ONE_OF_RANGE', values: [{ userEnteredValue: "='Lists'!$A$2:$A$11" }] });
  expect(stage.strict).toBe(true);
  expect((proposals.dataValidationAt('C2') as { strict?: boolean }).strict ?? false).toBe(false);
  expect(proposals.dataValidationAt('I2000')).toBeDefined();
  // Protections: system columns and system tabs for the service account only; the Activity Log warns.
  const system = proposals.protectedRanges.find((p) => String(p.description).includes('system columns'));
  expect(system).toMatchObject({ editors: { users: [SERVICE_ACCOUNT] } });
  expect(system?.warningOnly ?? false).toBe(false); // Google leaves out fields at their default
  expect(system?.a1).toMatch(/^'?Proposals'?!AC:AJ$/);
  expect(rig.emulator.sheet(id, 'Activity Log').protectedRanges[0]).toMatchObject({ warningOnly: true });
  expect(rig.emulator.sheet(id, 'Issues').protectedRanges[0]).toMatchObject({ editors: { users: [SERVICE_ACCOUNT] } });
  // Highlights for Due Soon, Stalled and Escalated.
  const formulas = proposals.conditionalFormats.map(
    (f) =>
      (f as { booleanRule: { condition: { values: { userEnteredValue: string }[] } } }).booleanRule.condition.values[0]!
        .userEnteredValue,
  );
  expect(formulas).toEqual(['=$AF2="Due Soon"', '=$AF2="Stalled"', '=$AF2="Escalated"']);
  // Two charts.
  const titles = ['Summary', 'Breakdowns'].flatMap((t) =>
    rig.emulator.sheet(id, t).charts.map((c) => (c as { spec: { title: string } }).spec.title),
  );
  expect(titles).toEqual(['Proposals by stage', 'Fulfillment duration by quarter (median calendar days)']);
  expect(rig.emulator.sheet(id, 'Lists').values({ render: 'FORMULA' })[1]?.[0]).toBe('Concept');

  // A second run reads and changes nothing.
  const before = state(rig, id);
  rig.emulator.resetCalls();
  expect(await rig.tracker.ensureLayout(layout)).toEqual({ created: [], repaired: [] });
  expect(rig.emulator.stats.writes).toBe(0);
  expect(state(rig, id)).toBe(before);

  // Staff delete a dropdown and a highlight; init puts back just those, leaving staff data alone.
  rig.emulator.setRows({ spreadsheetId: id, title: 'Proposals' }, [['B-1', 'Kept as typed']], { startRow: 2 });
  const sheetId = proposals.sheetId;
  await rig.client.api.spreadsheets.batchUpdate({
    spreadsheetId: id,
    requestBody: {
      requests: [
        {
          setDataValidation: {
            range: { sheetId, startRowIndex: 1, endRowIndex: 2001, startColumnIndex: 8, endColumnIndex: 9 },
          },
        },
        { deleteConditionalFormatRule: { sheetId, index: 1 } },
      ],
    },
  });
  const repaired = await rig.tracker.ensureLayout(layout);
  expect(repaired.repaired).toEqual(['dropdown on "Proposals"!Stage', 'highlight of Stalled on "Proposals"']);
  expect(proposals.values({ render: 'FORMULA' })[1]?.slice(0, 2)).toEqual(['B-1', 'Kept as typed']);
});

test('the restricted spreadsheet gets its own tab, protected like any staff tab, and nothing else', async () => {
  const rig = await googleRig();
  rigs.push(rig);
  await rig.restricted.ensureLayout(restrictedLayout());
  expect(rig.emulator.spreadsheet(rig.restricted.spreadsheetId).sheetTitles).toContain('Restricted');
  expect(rig.emulator.sheet(rig.restricted.spreadsheetId, 'Restricted').values({ render: 'FORMULA' })[0]).toEqual([
    'BUCP ID',
    'Specialized Security',
    'Specialized Privacy',
    'Known Risks',
    'Department Positions',
  ]);
  expect(await rig.restricted.recordIds()).toEqual(new Set());
});

test('the Activity Log and the Issues tab are exactly as wide as their columns, and init trims the empty columns an older tracker has', async () => {
  const rig = await googleRig();
  rigs.push(rig);
  const layout = trackerLayout(DEFAULT_DEPARTMENTS);
  const id = rig.tracker.spreadsheetId;
  await rig.tracker.ensureLayout(layout);
  const log = rig.emulator.sheet(id, 'Activity Log');
  const issues = rig.emulator.sheet(id, 'Issues');
  // Every cell of a grid counts against Google's limit, and the Activity Log grows by rows each cycle.
  expect([log.columnCount, issues.columnCount]).toEqual([10, 6]);
  // Staff tabs keep Google's usual width, so there is room for columns of their own.
  expect(rig.emulator.sheet(id, 'Disputes').columnCount).toBe(26);

  // A tracker set up with Google's default 26 columns on every tab, with lines in its log, and a note
  // someone typed to the right of the Issues tab.
  const widen = (sheetId: number, by: number) => ({ appendDimension: { sheetId, dimension: 'COLUMNS', length: by } });
  await rig.client.api.spreadsheets.batchUpdate({
    spreadsheetId: id,
    requestBody: { requests: [widen(log.sheetId, 16), widen(issues.sheetId, 20)] },
  });
  const lines = [
    ['2026-11-20T09:00:00-08:00', '2026-11-20', 'B-1', '', 'stage-first-seen', '', 'Concept', '', 'k1'],
    ['2026-11-20T09:00:00-08:00', '2026-11-20', 'B-2', '', 'stage-first-seen', '', 'Concept', '', 'k2'],
  ];
  rig.emulator.setRows({ spreadsheetId: id, title: 'Activity Log' }, lines, { startRow: 2, input: 'RAW' });
  rig.emulator.setRows({ spreadsheetId: id, title: 'Issues' }, [[...Array<null>(11).fill(null), 'keep me']], {
    startRow: 40,
  });

  const report = await rig.tracker.ensureLayout(layout);
  expect(report.removed).toEqual([
    `the empty columns K:Z of "Activity Log" (Google counts every cell of a tab against the spreadsheet's limit)`,
  ]);
  expect(log.columnCount).toBe(10);
  expect(log.values({ render: 'FORMULA' }).slice(1)).toEqual(lines);
  // Not empty: left as it is, with what was typed there.
  expect(issues.columnCount).toBe(26);
  expect(issues.values({ render: 'FORMULA' })[39]?.[11]).toBe('keep me');
  // And then there is nothing left to do.
  rig.emulator.resetCalls();
  expect(await rig.tracker.ensureLayout(layout)).toEqual({ created: [], repaired: [] });
  expect(rig.emulator.stats.writes).toBe(0);
});
