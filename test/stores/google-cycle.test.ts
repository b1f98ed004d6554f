import { afterEach, describe, expect, test } from 'vitest';
import { type ApiName } from '../emulator/sheets-emulator.ts';
import { googleWorkspace } from '../support/google.ts';
import { enteredDaysAgo, proposal, spreadProposals } from '../support/workspace.ts';

type Workspace = Awaited<ReturnType<typeof googleWorkspace>>;
const open: Workspace[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((w) => w.stop()));
});

async function trackerWith(count: number): Promise<Workspace> {
  const ws = await googleWorkspace({ quota: false });
  open.push(ws);
  const { proposals, restricted } = spreadProposals(count);
  ws.addProposals(proposals);
  ws.addRestricted(restricted);
  return ws;
}

function callsByApi(ws: Workspace): Partial<Record<ApiName, number>> {
  return ws.emulator.stats.byApi;
}

describe('API calls per cycle', () => {
  test('are the same at 10 and at 5,000 rows, and a cycle with nothing new writes nothing', async () => {
    const counts: Partial<Record<ApiName, number>>[] = [];
    for (const size of [10, 5000]) {
      const ws = await trackerWith(size);
      await ws.run('2026-11-23T08:00'); // first sight: every row gets its system values
      ws.emulator.resetCalls();
      const report = await ws.run('2026-12-02T08:00'); // five business days on (Thanksgiving skipped): reminders repeat
      expect(report.ok).toBe(true);
      expect(report.notifications.filter((n) => n.sent).length).toBeGreaterThan(0);
      expect(report.writes.cellsWritten).toBeGreaterThan(0);
      counts.push(callsByApi(ws));
      ws.emulator.resetCalls();
      const again = await ws.run('2026-12-02T08:00');
      expect(again.notifications).toEqual([]);
      expect(ws.emulator.stats.writes).toBe(0);
      expect(ws.emulator.stats.byApi).toEqual({ 'values.batchGet': 2 });
      expect(ws.emulator.unknownRequests).toEqual([]);
    }
    expect(counts[1]).toEqual(counts[0]);
    // One read of the tracker and one of the restricted IDs; the intents are one Activity Log append;
    // the results are one position read, one batchUpdate, one append and one verifying read.
    expect(counts[0]).toEqual({ 'values.batchGet': 4, 'values.batchUpdate': 1, 'values.append': 2 });
  });

  test('write answers stay small however many rows a write changes', async () => {
    const answers: number[] = [];
    for (const size of [10, 5000]) {
      const ws = await trackerWith(size);
      ws.emulator.resetCalls();
      const report = await ws.run('2026-11-23T08:00'); // first sight: every row is written
      expect(report.writes.cellsWritten).toBeGreaterThan(size);
      const writes = ws.emulator.calls.filter((c) => c.api === 'values.batchUpdate' || c.api === 'values.append');
      expect(writes.length).toBeGreaterThan(0);
      // Google answers a values.batchUpdate with one entry per range unless `fields` asks for less.
      for (const call of writes) expect(call.query.fields).toBeDefined();
      answers.push(Math.max(...writes.map((c) => c.bytesOut)));
    }
    // A count of cells is all the service reads of an answer: a few dozen bytes at either size.
    for (const bytes of answers) expect(bytes).toBeLessThan(200);
  });
});

describe('formula injection', () => {
  test('staff text like =IMPORTXML(...) is only ever written back as text', async () => {
    const ws = await googleWorkspace({ quota: false });
    open.push(ws);
    const formula = '=IMPORTXML("http://x","//a")';
    ws.emulator.setRows(
      { spreadsheetId: ws.tracker.spreadsheetId, title: 'Proposals' },
      [
        ws
          .header('Proposals')
          .map((h) => (h === 'BUCP ID' ? formula : h === 'Stage' ? 'Drafting' : h === 'Notes' ? formula : null)),
      ],
      { startRow: 2, input: 'RAW' },
    );
    ws.addProposals([proposal('B-2', { Stage: formula, 'Sponsor Email': formula, 'Stage Entered On': null })], 'RAW');
    const report = await ws.run('2026-11-23T08:00');
    expect(report.rowIssues.some((i) => i.message.includes(formula))).toBe(true);
    let echoed = 0;
    for (const title of ws.emulator.spreadsheet(ws.tracker.spreadsheetId).sheetTitles) {
      const sheet = ws.emulator.sheet(ws.tracker.spreadsheetId, title);
      const values = sheet.values({ render: 'FORMULA' });
      values.forEach((row, r) =>
        row.forEach((value, c) => {
          if (typeof value !== 'string' || !value.includes('IMPORTXML')) return;
          const cell = sheet.cell(`${String.fromCharCode(65 + (c % 26)).padStart(c >= 26 ? 2 : 1, 'A')}${r + 1}`);
          expect(cell.type, `${title}!R${r + 1}C${c + 1}`).toBe('string');
          echoed += 1;
        }),
      );
    }
    // The ID went into the Activity Log and the Issues tab, the messages quote the typed text: all as text.
    expect(echoed).toBeGreaterThan(3);
    expect(
      ws.emulator.calls.filter((c) => c.api === 'values.batchUpdate').every((c) => c.valueInputOption === 'RAW'),
    ).toBe(true);
  });
});

describe('links in emails', () => {
  test('open the spreadsheet at the proposal row', async () => {
    const ws = await googleWorkspace({ quota: false });
    open.push(ws);
    ws.addProposals([proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) })]);
    ws.addRestricted([{ 'BUCP ID': 'B-1' }]);
    await ws.run('2026-11-23T08:00');
    const entry = (await ws.outbox.entries()).find((e) => e.kind === 'reminder')!;
    const { readFile } = await import('node:fs/promises');
    const { simpleParser } = await import('mailparser');
    const mail = await simpleParser(await readFile(`${ws.outbox.dir}/${entry.file}`));
    const gid = ws.emulator.sheet(ws.tracker.spreadsheetId, 'Proposals').sheetId;
    const link = `/spreadsheets/d/${ws.tracker.spreadsheetId}/edit#gid=${gid}&range=A2`;
    expect(mail.text).toContain(link);
    expect(
      String(mail.html)
        .replace(/&#x3D;/g, '=')
        .replace(/&amp;/g, '&'),
    ).toContain(`href="https://docs.google.com${link}"`);
  });
});
