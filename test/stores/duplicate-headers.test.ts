import ExcelJS from 'exceljs';
import { afterEach, expect, test } from 'vitest';
import { columnLetter } from '../../src/core/layout.ts';
import type { TrackerStore } from '../../src/core/ports.ts';
import { googleWorkspace } from '../support/google.ts';
import { makeWorkspace, proposal } from '../support/workspace.ts';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** A tracker with one proposal whose Notes say "first", and a second "Notes" column after the last, saying "second". */
async function trackerWithNotesTwice(kind: string): Promise<{ store: TrackerStore; first: string; second: string }> {
  if (kind === 'xlsx') {
    const ws = await makeWorkspace();
    await ws.addProposals([proposal('B-1', { Notes: 'first' })]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(ws.tracker.path);
    const sheet = workbook.getWorksheet('Proposals')!;
    const header = sheet.getRow(1).values as unknown[];
    const last = header.length - 1;
    sheet.getRow(1).getCell(last + 1).value = 'Notes';
    sheet.getRow(2).getCell(last + 1).value = 'second';
    await workbook.xlsx.writeFile(ws.tracker.path);
    return { store: ws.tracker, first: columnLetter(header.indexOf('Notes')), second: columnLetter(last + 1) };
  }
  const ws = await googleWorkspace({ quota: false });
  stops.push(() => ws.stop());
  ws.addProposals([proposal('B-1', { Notes: 'first' })]);
  const header = ws.header('Proposals');
  const second = columnLetter(header.length + 1);
  const ref = { spreadsheetId: ws.tracker.spreadsheetId, title: 'Proposals' };
  ws.emulator.setCell(ref, `${second}1`, 'Notes');
  ws.emulator.setCell(ref, `${second}2`, 'second');
  return { store: ws.tracker, first: columnLetter(header.indexOf('Notes') + 1), second };
}

// Both stores read a header row one way: a header used twice is one problem in the same words, and
// the first of its columns is the one read.
test.each(['xlsx', 'google-sheets'])(
  '%s: a header used twice is reported naming both columns, and its first column is read',
  async (kind) => {
    const { store, first, second } = await trackerWithNotesTwice(kind);
    const snapshot = await store.read();
    expect(snapshot.layoutProblems).toEqual([
      `Proposals has the header "Notes" twice (columns ${first} and ${second}): rename or remove one`,
    ]);
    expect(snapshot.proposals.rows.map((r) => [r.cells['BUCP ID'], r.cells.Notes])).toEqual([['B-1', 'first']]);
  },
);
