import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { createLogger } from '../../src/log.ts';
import { dumpWorkbook } from '../support/dump.ts';
import { readRows } from '../support/workspace.ts';

test('bucp demo builds a realistic sample, runs a cycle and says where to look', async () => {
  const dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'bucp-demo-')), 'demo');
  const out: string[] = [];
  const io = { out: (t: string) => out.push(t), logger: createLogger({ destination: { write: () => true } }) };
  expect(await main(['demo', '--dir', dir, '--now', '2026-11-23T08:00'], io)).toBe(0);
  const text = out.join('\n');
  expect(text).toMatch(/Sample tracker with 7\d proposals, 12 disputes and \d+ tasks/);
  expect(text).toContain(path.join(dir, 'tracker.xlsx'));
  expect(text).toMatch(/Notifications: \d+ planned, \d+ sent/);

  const proposals = await readRows(path.join(dir, 'tracker.xlsx'), 'Proposals', 'BUCP ID');
  expect(proposals.size).toBeGreaterThanOrEqual(60);
  const statuses = new Set([...proposals.values()].map((r) => r.Status));
  for (const status of ['On Track', 'Due Soon', 'Stalled', 'Escalated', 'Closed']) expect(statuses).toContain(status);
  const emails = (await readdir(path.join(dir, 'outbox'))).filter((f) => f.endsWith('.eml'));
  expect(emails.length).toBeGreaterThan(5);
  // The agreement end and the liaison's notices show on the first run.
  const termStatuses = new Set([...proposals.values()].map((r) => r['Term Status']));
  for (const status of ['Active', 'Ending Soon', 'Disposition Due', 'Disposition Overdue', 'Closed Out']) {
    expect(termStatuses).toContain(status);
  }
  const outbox = (await readFile(path.join(dir, 'outbox', 'index.jsonl'), 'utf8')).split('\n').join(' ');
  for (const key of ['liaison-submitted:BUCP-2025806', 'disposition-escalation:BUCP-2025804']) {
    expect(outbox).toContain(key);
  }
  const mail = (await Promise.all(emails.map((f) => readFile(path.join(dir, 'outbox', f), 'utf8')))).join('\n');
  for (const group of ['Agreement Ending', 'Disposition Due', 'Filing Due']) expect(mail).toContain(group);
  const issues = await readRows(path.join(dir, 'tracker.xlsx'), 'Issues', 'ID');
  expect([...issues.values()].some((r) => r.Severity === 'error')).toBe(true);
  // Every new feature shows on the first run: tasks in each status, task reminders, a task row issue,
  // the Library's four sections with content, and Task Metrics.
  const tasks = await readRows(path.join(dir, 'tracker.xlsx'), 'Tasks', 'Task ID');
  expect(new Set([...tasks.values()].map((r) => r.Status))).toEqual(new Set(['Open', 'Due Soon', 'Overdue', 'Done']));
  expect([...tasks.values()].some((r) => String(r['Row Issues'] ?? '').includes('matches no proposal'))).toBe(true);
  expect(mail).toContain('Your tasks due soon or overdue');
  const workbook = await dumpWorkbook(path.join(dir, 'tracker.xlsx'));
  const library = workbook.slice(workbook.indexOf('## Library'));
  const section = (title: string) => library.slice(library.indexOf(title)).split('\n').slice(0, 12).join('\n');
  for (const title of [
    'Dispute resolutions',
    'Statutory restriction solutions',
    'Data-sharing outcomes',
    'Lessons learned',
  ]) {
    expect(section(title), title).not.toContain('(none yet)');
  }
  expect(library).toContain('BUCP reference library');
  expect(workbook).toContain('## Task Metrics');
  expect(text).toContain('npx bucp find');

  // Run again in the same folder: the demo replaces its own folder, and refuses one it did not make.
  expect(await main(['demo', '--dir', dir, '--now', '2026-11-23T08:00'], io)).toBe(0);
  expect(await main(['demo', '--dir', os.tmpdir(), '--now', '2026-11-23T08:00'], io)).toBe(2);
});
