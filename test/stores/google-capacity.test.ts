// Google refuses any change that would take a spreadsheet past 10 million cells (every tab's grid, empty
// cells included), and the Activity Log grows with every message. The emulator enforces the limit as
// Google does; a tab of staff notes with a tall, empty grid brings a small tracker near it.
import { afterEach, expect, test } from 'vitest';
import { googleWorkspace } from '../support/google.ts';
import { enteredDaysAgo, proposal } from '../support/workspace.ts';

type Workspace = Awaited<ReturnType<typeof googleWorkspace>>;
const open: Workspace[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.stop()));
});

test('near the cell limit a cycle warns; at it, the cycle stops with what to do and sends nothing; with room, the reminder goes once', async () => {
  // The store lists the tabs and their grids again at every read, not hourly: the test adds a tab.
  const ws = await googleWorkspace({ quota: false, listingMaxAgeMs: 0 });
  open.push(ws);
  const id = ws.tracker.spreadsheetId;
  const model = ws.emulator.model(id);
  const activityLines = () => ws.emulator.sheet(id, 'Activity Log').lastRow - 1;
  // On track on the 23rd: the first cycle records it and sends nothing.
  ws.addProposals([proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 1) })]);
  // Staff add a one-column tab whose grid takes the spreadsheet to about 85% of the limit.
  const notesRows = (total: number) => total - (model.cellCount() - ws.emulator.sheet(id, 'Notes').rowCount);
  await ws.client.api.spreadsheets.batchUpdate({
    spreadsheetId: id,
    requestBody: {
      requests: [
        {
          addSheet: {
            properties: { title: 'Notes', gridProperties: { rowCount: 8_500_000 - model.cellCount(), columnCount: 1 } },
          },
        },
      ],
    },
  });
  const notes = ws.emulator.sheet(id, 'Notes');

  // The cycle runs and says how full the spreadsheet is, on the Issues tab and in the logs.
  await ws.run('2026-11-23T08:00');
  const warning = (ws.emulator.sheet(id, 'Issues').values() as unknown[][]).find((row) =>
    row.some((cell) => String(cell).includes("80% or more of Google's limit of 10,000,000 cells")),
  );
  expect(warning).toBeDefined();
  expect(warning).toContain('Activity Log');
  expect(ws.logs.some((line) => line.includes('80% or more of Google') && line.includes('"level":40'))).toBe(true);
  expect(await ws.outbox.entries()).toHaveLength(0);

  // Full: a proposal falls due, but the lines its message needs on record first do not fit.
  ws.addProposals([
    proposal('B-2', {
      Stage: 'Drafting',
      'Stage Entered On': enteredDaysAgo('2026-11-23', 13),
      'Requesting Coordinator Email': 'due@dhcs.example.gov',
    }),
  ]);
  notes.resize({ rowCount: notesRows(10_000_000) });
  expect(model.cellCount()).toBe(10_000_000);
  const linesBefore = activityLines();
  await expect(ws.run('2026-11-23T09:00')).rejects.toThrow(
    /Spreadsheet .* is full: .*10,000,000 cells.*do not delete Activity Log lines/,
  );
  expect(await ws.outbox.entries()).toHaveLength(0);
  expect(activityLines()).toBe(linesBefore);
  expect(ws.emulator.sheet(id, 'Proposals').values().at(-1)).toContain('B-2');

  // Room again (staff deleted empty rows of their notes): the reminder goes out, once.
  notes.resize({ rowCount: notes.rowCount - 5_000 });
  await ws.run('2026-11-23T10:00');
  await ws.run('2026-11-23T10:15');
  const sent = await ws.outbox.entries();
  expect(sent.map((e) => e.to)).toEqual([['due@dhcs.example.gov']]);
});
