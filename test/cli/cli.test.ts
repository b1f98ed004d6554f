import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test, vi } from 'vitest';
import { stringify } from 'yaml';
import { main } from '../../src/cli/main.ts';
import { createLogger } from '../../src/log.ts';
import { CONTACTS, d, enteredDaysAgo, makeWorkspace, proposal } from '../support/workspace.ts';

const BIN = fileURLToPath(new URL('../../bin/bucp.js', import.meta.url));

async function setup(mail: Record<string, unknown> = { kind: 'outbox', dir: 'outbox' }) {
  const ws = await makeWorkspace();
  await ws.addProposals([
    proposal('B-1', { Stage: 'Drafting', 'Stage Entered On': enteredDaysAgo('2026-11-23', 20) }),
    proposal('B-2', { Stage: 'Bogus' }),
  ]);
  await ws.addDisputes([
    {
      'Dispute ID': 'D-1',
      'BUCP ID': 'B-1',
      'Raised On': d('2026-11-16'),
      Category: 'Cost',
      Level: 'Data Coordinators',
      Decision: 'Pending',
    },
  ]);
  const configFile = path.join(ws.dir, 'bucp.yaml');
  await writeFile(
    configFile,
    stringify({
      store: { kind: 'xlsx', path: 'tracker.xlsx', restrictedPath: 'restricted.xlsx' },
      mail,
      contacts: CONTACTS,
    }),
  );
  const out: string[] = [];
  const logs: string[] = [];
  const io = {
    out: (t: string) => out.push(t),
    logger: createLogger({ destination: { write: (l: string) => logs.push(l) } }),
  };
  return { ws, configFile, out, logs, io, bucp: (...args: string[]) => main(args, io) };
}

describe('bucp run --once', () => {
  test('without --once, run still runs one cycle and exits (it never schedules)', async () => {
    const { bucp, configFile, out } = await setup();
    expect(await bucp('run', '--json', '--config', configFile, '--now', '2026-11-23T08:00')).toBe(0);
    const report = JSON.parse(out.join(''));
    expect(report.notifications.filter((n: { sent: boolean }) => n.sent).length).toBeGreaterThan(0);
  });

  test('--json prints the report with the documented keys', async () => {
    const { bucp, configFile, out } = await setup();
    expect(await bucp('run', '--once', '--json', '--config', configFile, '--now', '2026-11-23T08:00')).toBe(0);
    const report = JSON.parse(out.join(''));
    expect(report.proposals).toEqual({ total: 2, valid: 1, invalid: 1 });
    expect(report.findings).toEqual([
      {
        bucpId: 'B-1',
        stage: 'Drafting',
        status: 'Stalled',
        businessDaysInStage: 20,
        slaDays: 15,
        stageSince: expect.any(String),
      },
    ]);
    expect(report.disputes).toEqual([
      { disputeId: 'D-1', bucpId: 'B-1', level: 'Data Coordinators', businessDaysAtLevel: 5, status: 'Open' },
    ]);
    expect(report.notifications[0]).toMatchObject({
      kind: 'reminder',
      to: ['req@dhcs.example.gov'],
      cc: [],
      bucpIds: ['B-1'],
      disputeId: null,
      idempotencyKey: 'digest:req@dhcs.example.gov:2026-11-23',
      sent: true,
    });
    expect(report.rowIssues).toContainEqual({
      tab: 'Proposals',
      row: 3,
      id: 'B-2',
      column: 'Stage',
      severity: 'error',
      message: expect.stringContaining('"Bogus" is not a known Stage'),
    });
    expect(report.metrics).toMatchObject({ proposals: { total: 2 }, byStage: { Drafting: 1 } });
  });

  test('--dry-run plans and writes nothing', async () => {
    const { bucp, configFile, out, ws } = await setup();
    const before = await readFile(ws.tracker.path);
    expect(
      await bucp('run', '--once', '--dry-run', '--json', '--config', configFile, '--now', '2026-11-23T08:00'),
    ).toBe(0);
    expect(JSON.parse(out.join('')).notifications[0]).toMatchObject({ sent: false, status: 'planned' });
    expect((await readFile(ws.tracker.path)).equals(before)).toBe(true);
    expect(await ws.sent()).toEqual([]);
  });

  test('exit 1 when the cycle had failures: mail that cannot be delivered', async () => {
    const { bucp, configFile, logs } = await setup({
      kind: 'smtp',
      host: '127.0.0.1',
      port: 9,
      from: 'bucp@localhost',
      timeoutMs: 2000,
    });
    expect(await bucp('run', '--once', '--config', configFile, '--now', '2026-11-23T08:00')).toBe(1);
    expect(logs.join('\n')).toContain('notification not sent');
  });

  test('exit 1 with an instruction when the workbook is missing', async () => {
    const { bucp, configFile, ws } = await setup();
    const { rm } = await import('node:fs/promises');
    await rm(ws.tracker.path);
    expect(await bucp('run', '--once', '--config', configFile)).toBe(1);
  });
});

describe('usage and config errors exit 2', () => {
  test.each([[['frobnicate']], [['run', '--frobnicate']], [['run', '--once', '--now', 'yesterday-ish']]])(
    'bucp %j',
    async (args) => {
      const { bucp, configFile } = await setup();
      const withConfig = args[0] === 'run' && args.length > 1 ? [...args, '--config', configFile] : args;
      expect(await bucp(...withConfig)).toBe(2);
    },
  );

  test('a bad config names the key path', async () => {
    const { bucp, ws } = await setup();
    const bad = path.join(ws.dir, 'bad.yaml');
    await writeFile(
      bad,
      'store: { kind: xlsx, path: t.xlsx, restrictedPath: r.xlsx }\nmail: { kind: smtp, host: h, from: a@b.gov, port: "x" }\ncontacts: { governanceLiaison: nope }\n',
    );
    const stderr: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => stderr.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      expect(await bucp('run', '--once', '--config', bad)).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(stderr.join('')).toMatch(/mail\.port/);
    expect(stderr.join('')).toMatch(/contacts\.governanceLiaison/);
  });
});

describe('bucp check', () => {
  test('exits 1 on row errors and lists them with ID and column', async () => {
    const { bucp, configFile, out } = await setup();
    expect(await bucp('check', '--config', configFile, '--now', '2026-11-23T08:00')).toBe(1);
    expect(out.join('\n')).toMatch(/ERROR Proposals row 3 \(B-2\) \[Stage\]/);
  });

  test('says how much of the store it is in the Activity Log has filled', async () => {
    const { bucp, configFile, out } = await setup();
    await bucp('run', '--once', '--config', configFile, '--now', '2026-11-23T08:00');
    out.length = 0;
    await bucp('check', '--config', configFile, '--now', '2026-11-23T08:00');
    expect(out).toContain(
      "Capacity: 0.0% of Excel's limit of 1,048,576 rows per worksheet (on the Activity Log tab) used",
    );
    out.length = 0;
    await bucp('check', '--json', '--config', configFile, '--now', '2026-11-23T08:00');
    const { capacity } = JSON.parse(out.join('')) as { capacity: { used: number; limit: number } };
    // The header and the lines the run just logged.
    expect(capacity.limit).toBe(1_048_576);
    expect(capacity.used).toBeGreaterThan(2);
  });
});

describe('bucp stalled', () => {
  test('lists the stalled proposals and writes nothing', async () => {
    const { bucp, configFile, out, ws } = await setup();
    const before = await readFile(ws.tracker.path);
    expect(await bucp('stalled', '--config', configFile, '--now', '2026-11-23T08:00', '--json')).toBe(0);
    const result = JSON.parse(out.join('\n')) as { today: string; findings: { bucpId: string; status: string }[] };
    expect(result.today).toBe('2026-11-23');
    expect(result.findings).toEqual([expect.objectContaining({ bucpId: 'B-1', status: 'Stalled' })]);
    expect((await readFile(ws.tracker.path)).equals(before)).toBe(true);
    out.length = 0;
    expect(await bucp('stalled', '--config', configFile, '--now', '2026-11-23T08:00')).toBe(0);
    expect(out.join('\n')).toMatch(/^Stalled +B-1 Drafting: 20 business days of 15/m);
  });
});

describe('bucp holidays', () => {
  async function setupHolidays() {
    const context = await setup();
    const configFile = path.join(context.ws.dir, 'holidays.yaml');
    await writeFile(
      configFile,
      stringify({
        store: { kind: 'xlsx', path: 'tracker.xlsx', restrictedPath: 'restricted.xlsx' },
        mail: { kind: 'outbox', dir: 'outbox' },
        contacts: CONTACTS,
        holidays: { add: ['2026-02-12', '2027-01-04'], remove: ['2026-11-27'] },
      }),
    );
    return { ...context, configFile };
  }

  async function withStderr(run: () => Promise<number>): Promise<{ code: number; stderr: string }> {
    const chunks: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => chunks.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      return { code: await run(), stderr: chunks.join('') };
    } finally {
      process.stderr.write = write;
    }
  }

  test("prints the year's days as a table: rule-made, added and removed", async () => {
    const { bucp, configFile, out } = await setupHolidays();
    expect(await bucp('holidays', '--year', '2026', '--config', configFile)).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/^date +weekday +name +source$/m);
    expect(text).toMatch(/^2026-01-19 +Monday +Martin Luther King Jr\. Day +rule$/m);
    expect(text).toMatch(/^2026-02-12 +Thursday +Closure added in config +added \(holidays\.add\)$/m);
    expect(text).toMatch(/^2026-11-27 +Friday +Day after Thanksgiving +removed \(holidays\.remove\)$/m);
    // Native American Day is not a state office closure, and the other year's addition stays out.
    expect(text).not.toMatch(/2026-09-25|2027-01-04/);
    expect(text).toContain('10 weekdays closed in 2026.');
  });

  test('--json prints the days with their sources; Veterans Day on a Saturday is the Friday before', async () => {
    const { bucp, configFile, out } = await setupHolidays();
    expect(await bucp('holidays', '--year', '2028', '--json', '--config', configFile)).toBe(0);
    const days = JSON.parse(out.join('\n')) as { date: string; source: string }[];
    expect(days).toContainEqual({ date: '2028-11-10', weekday: 'Friday', name: 'Veterans Day', source: 'rule' });
    expect(days).toHaveLength(11);
    out.length = 0;
    expect(await bucp('holidays', '--year', '2026', '--json', '--config', configFile)).toBe(0);
    const adjusted = (JSON.parse(out.join('\n')) as { date: string; source: string }[]).filter(
      (d) => d.source !== 'rule',
    );
    expect(adjusted).toEqual([
      { date: '2026-02-12', weekday: 'Thursday', name: 'Closure added in config', source: 'added' },
      { date: '2026-11-27', weekday: 'Friday', name: 'Day after Thanksgiving', source: 'removed' },
    ]);
  });

  test('without --year it shows the current year in the configured time zone', async () => {
    const { bucp, configFile, out } = await setupHolidays();
    // New Year's Eve evening in Los Angeles is already 2027 in UTC.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2027-01-01T04:00:00Z'));
    try {
      expect(await bucp('holidays', '--json', '--config', configFile)).toBe(0);
    } finally {
      vi.useRealTimers();
    }
    const days = JSON.parse(out.join('\n')) as { date: string }[];
    expect(days).toHaveLength(12);
    expect(days.every((d) => d.date.startsWith('2026-'))).toBe(true);
  });

  test.each(['26', '20x6', '1066', 'next'])('--year %s is refused with what to type, exit 2', async (year) => {
    const { bucp, configFile, out } = await setupHolidays();
    const { code, stderr } = await withStderr(() => bucp('holidays', '--year', year, '--config', configFile));
    expect(code).toBe(2);
    expect(stderr).toContain(`--year "${year}" is not a year such as 2027`);
    expect(out).toEqual([]);
  });
});

describe('the bucp executable', () => {
  test('runs on the project Node and prints help', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, '--help']);
    expect(stdout).toContain('Usage: bucp');
    expect(stdout).toMatch(/init.*\n.*run.*\n.*check.*\n.*demo.*\n.*start/s);
  });
});

describe('the sample tracker’s clock', () => {
  test.each([
    ['2026-11-23T07:00', '2026-11-23T07:00'], // a business day: the real clock
    ['2026-11-21T12:00', '2026-11-20T09:00'], // Saturday: Friday morning
    ['2026-11-26T10:00', '2026-11-25T09:00'], // Thanksgiving: the day before
    ['2026-11-29T10:00', '2026-11-25T09:00'], // the Sunday after: past the day after Thanksgiving and the weekend
  ])('at %s the sample runs as of %s', async (now, expected) => {
    const { sampleClock, parseNow } = await import('../../src/cli/main.ts');
    const { parseConfig } = await import('../../src/core/config.ts');
    const parsed = parseConfig({
      store: { kind: 'xlsx', path: 'a', restrictedPath: 'b' },
      mail: { kind: 'outbox', dir: 'o' },
      contacts: CONTACTS,
    });
    if (!parsed.ok) throw new Error('config');
    const zone = parsed.config.timezone;
    expect(sampleClock(parseNow(now, zone), parsed.config)).toEqual(parseNow(expected, zone));
  });
});
