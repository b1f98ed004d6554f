import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { DateTime } from 'luxon';
import { type ClosureDay, closureDays } from '../core/calendar.ts';
import { type Config, holidayAdjustments } from '../core/config.ts';
import { calendarFor } from '../core/cycle.ts';
import { EARLIEST_PLAUSIBLE_YEAR, LATEST_PLAUSIBLE_YEAR, addDays, localDate } from '../core/dates.ts';
import { ConfigError, DEFAULT_CONFIG_PATH, loadConfig } from '../config-file.ts';
import { findStalled } from '../jobs/find-stalled.job.ts';
import { findProposals } from '../jobs/find.job.ts';
import { runCheck } from '../jobs/check.job.ts';
import { DemoFolderError, prepareDemoFolder, sampleTrackerMissing, seedSampleTracker } from '../jobs/demo.job.ts';
import type { ImportProgress } from '../jobs/import.job.ts';
import { runInit } from '../jobs/init.job.ts';
import { ImportBusyError, MapFileError, SourceError } from '../import/errors.ts';
import { type CycleReport, LayoutError, runCycle } from '../jobs/run-cycle.job.ts';
import { type Logger, createLogger } from '../log.ts';
import { createMailer, verifyMailer } from '../mail/create-mailer.ts';
import { JournalError } from '../mail/journal.ts';
import { ChatConfigError, createChatSenders } from '../chat/create-chat-senders.ts';
import { MailTemplates } from '../mail/render.ts';
import { ServiceRunner } from '../service/runner.ts';
import { startStatusServer } from '../service/status-server.ts';
import { createImportStores, createStores } from '../stores/create-stores.ts';
import { airtableBaseUrl } from '../stores/airtable/base-url.ts';
import { spreadsheetUrl } from '../stores/google/spreadsheet-url.ts';
import { WorkbookError } from '../stores/workbook-error.ts';
import { packagePath } from '../package-root.ts';

export const EXIT = { ok: 0, failures: 1, usage: 2 } as const;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

const DEFAULT_DEMO_DIR = packagePath('data/demo/');

/** Reads `--now`: an ISO date-time; without an offset it is read in the configured time zone. */
export function parseNow(value: string | undefined, timezone: string): Date {
  if (!value) return new Date();
  const parsed = DateTime.fromISO(value, { zone: timezone });
  if (!parsed.isValid) throw new UsageError(`--now "${value}" is not an ISO date-time such as 2026-11-23T08:00`);
  return parsed.toJSDate();
}

/** Reads `--year`: a four-digit year in the span the service's dates may have. */
function parseYear(value: string): number {
  const year = Number(value);
  if (!/^\d{4}$/.test(value) || year < EARLIEST_PLAUSIBLE_YEAR || year > LATEST_PLAUSIBLE_YEAR) {
    throw new UsageError(
      `--year "${value}" is not a year such as 2027 (four digits, ${EARLIEST_PLAUSIBLE_YEAR} to ${LATEST_PLAUSIBLE_YEAR})`,
    );
  }
  return year;
}

const SOURCE_LABELS: Record<ClosureDay['source'], string> = {
  rule: 'rule',
  added: 'added (holidays.add)',
  removed: 'removed (holidays.remove)',
};

function formatClosureDays(year: number, days: readonly ClosureDay[], configFile: string): string {
  const weekend = (d: ClosureDay) => d.weekday === 'Saturday' || d.weekday === 'Sunday';
  const rows = [
    ['date', 'weekday', 'name', 'source'],
    ...days.map((d) => [d.date, d.weekday, d.name, SOURCE_LABELS[d.source]]),
  ];
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  const closedWeekdays = days.filter((d) => d.source !== 'removed' && !weekend(d)).length;
  const lines = [
    `Holidays in ${year} as the service counts them: California state holidays by rule (Gov. Code §19853,`,
    `as CalHR lists them), adjusted by holidays.add and holidays.remove in ${configFile}.`,
    '',
    ...rows.map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    ),
    '',
    `${closedWeekdays} weekdays closed in ${year}.`,
  ];
  if (days.some((d) => d.source === 'removed')) {
    lines.push('A removed day is not a holiday: on a weekday it counts as a business day.');
  }
  if (days.some((d) => d.source !== 'removed' && d.weekday === 'Saturday')) {
    lines.push('A holiday on a Saturday is not moved (state employees get holiday credit): it closes no business day.');
  }
  return lines.join('\n');
}

/**
 * The clock for a sample tracker: now on a business day, otherwise the morning of the most recent
 * business day, so a first look shows a business day's mail. Real trackers always run on the real clock.
 */
export function sampleClock(now: Date, config: Config): Date {
  const calendar = calendarFor(config);
  const today = localDate(now, config.timezone);
  if (calendar.isBusinessDay(today)) return now;
  let day = today;
  while (!calendar.isBusinessDay(day)) day = addDays(day, -1);
  return DateTime.fromISO(`${day}T09:00`, { zone: config.timezone }).toJSDate();
}

function describeClock(clock: Date, config: Config): string {
  return DateTime.fromJSDate(clock, { zone: config.timezone }).toFormat('cccc d LLLL yyyy, HH:mm');
}

interface Io {
  readonly out: (text: string) => void;
  readonly logger: Logger;
}

async function cycleOnce(config: Config, now: Date, io: Io, options: { dryRun: boolean }): Promise<CycleReport> {
  // A dry run sends nothing, so it needs no journal, and writes nothing, not even a probe.
  if (!options.dryRun) await verifyMailer(config.mail);
  // A dry run posts nothing either, so it needs no webhook URLs.
  const chat = options.dryRun ? undefined : createChatSenders(config.chat);
  const { tracker, restricted } = await createStores(config.store);
  const mailer = createMailer(config.mail);
  try {
    const templates = await MailTemplates.load();
    return await runCycle(
      { config, store: tracker, restricted, mailer, templates, logger: io.logger, ...(chat ? { chat } : {}) },
      { now, dryRun: options.dryRun },
    );
  } finally {
    await mailer.close();
  }
}

function summarize(report: CycleReport, where: { tracker: string; outbox?: string }): string {
  const sent = report.notifications.filter((n) => n.sent).length;
  const byStatus = report.metrics.byStatus;
  const lines = [
    `Cycle for ${report.today}${report.dryRun ? ' (dry run: nothing written or sent)' : ''}`,
    `  Proposals: ${report.proposals.total} (${report.proposals.valid} valid, ${report.proposals.invalid} invalid)`,
    `  Status: ${Object.entries(byStatus)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${s} ${n}`)
      .join(', ')}`,
    `  Row issues: ${report.rowIssues.filter((i) => i.severity === 'error').length} errors, ${
      report.rowIssues.filter((i) => i.severity === 'warning').length
    } warnings (see the Issues tab)`,
    `  Notifications: ${report.notifications.length} planned, ${sent} sent${
      report.failures.length > 0 ? `, ${report.failures.length} failed` : ''
    }`,
    ...(report.chat.length > 0
      ? [`  Chat posts: ${report.chat.length} planned, ${report.chat.filter((p) => p.sent).length} sent`]
      : []),
    `  Tracker: ${where.tracker}`,
  ];
  if (where.outbox) lines.push(`  Outbox: ${where.outbox}`);
  if (!report.businessDay) {
    lines.push(
      `  ${report.today} is a weekend day or a state holiday: nothing is sent today.`,
      '  To see the reminders a business day brings, add --now with a weekday, such as --now 2026-11-23T08:00.',
    );
  }
  return lines.join('\n');
}

function trackerLocation(config: Config): string {
  switch (config.store.kind) {
    case 'xlsx':
      return config.store.path;
    case 'google-sheets':
      return spreadsheetUrl(config.store.spreadsheetId);
    case 'airtable':
      return airtableBaseUrl(config.store.baseId);
  }
}

function outboxOf(config: Config): string | undefined {
  return config.mail.kind === 'outbox' ? config.mail.dir : undefined;
}

/** The long-running service, until SIGINT or SIGTERM: then a running cycle finishes and it exits 0. */
async function runService(config: Config, io: Io, portOption: string | undefined, startAt?: Date): Promise<void> {
  const port = portOption === undefined ? config.service.port : Number(portOption);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port ${portOption} is not a port`);
  await verifyMailer(config.mail);
  const chat = createChatSenders(config.chat);
  const { tracker, restricted } = await createStores(config.store);
  const mailer = createMailer(config.mail);
  const templates = await MailTemplates.load();
  // With a start time (drills, tests) the service's clock starts there and runs on in real time.
  const offset = startAt ? startAt.getTime() - Date.now() : 0;
  const runner = new ServiceRunner({
    deps: { config, store: tracker, restricted, mailer, templates, logger: io.logger, chat },
    clock: () => new Date(Date.now() + offset),
  });
  const { server, url } = await startStatusServer(() => runner.status(), { host: config.service.host, port });
  const where = [`Tracker: ${trackerLocation(config)}`];
  const outbox = outboxOf(config);
  if (outbox) where.push(`Outbox: ${outbox}`);
  io.out([...where, `Status page: ${url}/status (liveness: ${url}/healthz)`, 'Ctrl-C stops the service.'].join('\n'));
  const stopped = new Promise<string>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  await runner.start();
  const signal = await stopped;
  io.logger.info({ signal }, 'stopping: letting a running cycle finish');
  await runner.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await mailer.close();
  io.out('Stopped.');
}

const PROGRESS_STEPS: Record<ImportProgress['step'], string> = {
  read: 'read',
  plan: 'planned',
  restricted: 'restricted content placed',
  write: 'written',
  done: 'previewed',
};

/** One line on a terminal, rewritten as the import moves on; nothing when the output is a file or pipe. */
function progressLine(): ((progress: ImportProgress) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  return (p) => {
    process.stderr.write(`\r\x1b[KImport: ${p.rows.toLocaleString('en-US')} rows ${PROGRESS_STEPS[p.step]}`);
    if (p.step === 'write' || p.step === 'done') process.stderr.write('\n');
  };
}

export function buildProgram(io: Io): Command {
  const program = new Command('bucp')
    .description('Tracks Business Use Case Proposals in a shared spreadsheet and chases what stalls.')
    .showHelpAfterError()
    .exitOverride();
  const configOption = () =>
    new Option('-c, --config <file>', 'config file (YAML or JSON)').default(DEFAULT_CONFIG_PATH, 'config/bucp.yaml');

  program
    .command('init')
    .description('create the tracker and restricted workbooks from sheets-templates/, or repair what they lack')
    .addOption(configOption())
    .action(async (opts: { config: string }) => {
      const { config } = await loadConfig(opts.config);
      const { tracker, restricted } = await createStores(config.store);
      const report = await runInit({ config, store: tracker, restricted });
      for (const part of [report.tracker, report.restricted]) {
        const changes = [
          ...part.created.map((c) => `created ${c}`),
          ...part.repaired.map((r) => `added ${r}`),
          ...(part.removed ?? []).map((r) => `removed ${r}`),
        ];
        io.out(`${part.location}: ${changes.length > 0 ? changes.join('; ') : 'already complete, nothing changed'}`);
      }
      if (tracker.manualSteps && tracker.manualSteps.length > 0) {
        io.out('To do by hand, once (the API cannot):');
        for (const step of tracker.manualSteps) io.out(`  [ ] ${step}`);
      }
    });

  program
    .command('run')
    .description('run one full cycle: sync, stall detection, reminders, dispute escalation and metrics')
    .option('--once', 'one cycle and exit: what `run` always does (the scheduler is `bucp serve`)')
    .addOption(configOption())
    .option('--now <iso>', 'the clock, as an ISO date-time (default: now)')
    .option('--dry-run', 'plan without writing or sending', false)
    .option('--json', 'print the JSON report on stdout', false)
    .action(async (opts: { config: string; now?: string; dryRun: boolean; json: boolean }) => {
      const { config } = await loadConfig(opts.config);
      const report = await cycleOnce(config, parseNow(opts.now, config.timezone), io, { dryRun: opts.dryRun });
      io.out(
        opts.json
          ? JSON.stringify(report, null, 2)
          : summarize(report, { tracker: trackerLocation(config), outbox: outboxOf(config) }),
      );
      if (!report.ok) process.exitCode = EXIT.failures;
    });

  program
    .command('check')
    .description('validate the config, the workbook layout and the data; exits 1 on errors')
    .addOption(configOption())
    .option('--now <iso>', 'the clock, for future-date checks')
    .option('--json', 'print the JSON report on stdout', false)
    .action(async (opts: { config: string; now?: string; json: boolean }) => {
      const { config, file } = await loadConfig(opts.config);
      await verifyMailer(config.mail);
      // Each chat webhook URL is set and on its service's hosts (the URL itself is never printed).
      createChatSenders(config.chat);
      const { tracker, restricted } = await createStores(config.store);
      const report = await runCheck({ config, store: tracker, restricted, now: parseNow(opts.now, config.timezone) });
      if (opts.json) io.out(JSON.stringify(report, null, 2));
      else {
        io.out(`Config ${file}: valid`);
        for (const problem of report.layoutProblems) io.out(`Layout: ${problem}`);
        for (const i of report.rowIssues) {
          io.out(
            `${i.severity.toUpperCase()} ${i.tab} row ${i.row}${i.id ? ` (${i.id})` : ''}${i.column ? ` [${i.column}]` : ''}: ${i.message}`,
          );
        }
        const { capacity } = report;
        if (capacity && capacity.limit > 0) {
          const share = ((100 * capacity.used) / capacity.limit).toFixed(1);
          io.out(`Capacity: ${share}% of ${capacity.limitName} used`);
        }
        io.out(
          `${report.proposals} proposals, ${report.disputes} disputes: ${report.ok ? 'no errors' : 'errors found'}`,
        );
      }
      if (!report.ok) process.exitCode = EXIT.failures;
    });

  program
    .command('stalled')
    .description('list the proposals that are due soon, stalled or escalated; writes nothing')
    .addOption(configOption())
    .option('--now <iso>', 'the clock (default: now)')
    .option('--stalled-only', 'leave out proposals that are only due soon', false)
    .option('--json', 'print the findings as JSON on stdout', false)
    .action(async (opts: { config: string; now?: string; stalledOnly: boolean; json: boolean }) => {
      const { config } = await loadConfig(opts.config);
      const { tracker, restricted } = await createStores(config.store);
      const now = parseNow(opts.now, config.timezone);
      const result = await findStalled(
        { config, store: tracker, restricted },
        { now, includeDueSoon: !opts.stalledOnly },
      );
      if (opts.json) io.out(JSON.stringify(result, null, 2));
      else {
        for (const f of result.findings) {
          io.out(
            `${f.status.padEnd(9)} ${f.bucpId} ${f.stage}: ${f.businessDaysInStage} business days${f.slaDays ? ` of ${f.slaDays}` : ''} (${f.useCaseName ?? ''})`,
          );
        }
        io.out(`${result.findings.length} proposals need attention on ${result.today}`);
      }
    });

  program
    .command('find')
    .description('search proposals by ID, name, department, dataset, legal authority and lessons; writes nothing')
    .argument('<words...>', 'words that must all appear (case and accents do not matter)')
    .addOption(configOption())
    .option('--now <iso>', 'the clock (default: now)')
    .option('--json', 'print the matches as JSON on stdout', false)
    .action(async (words: string[], opts: { config: string; now?: string; json: boolean }) => {
      const { config } = await loadConfig(opts.config);
      const { tracker, restricted } = await createStores(config.store);
      const now = parseNow(opts.now, config.timezone);
      const result = await findProposals({ config, store: tracker, restricted }, { now, words });
      if (opts.json) io.out(JSON.stringify(result, null, 2));
      else {
        for (const m of result.matches) {
          io.out(`${m.bucpId}  ${m.stage ?? '(no stage)'} · ${m.status ?? '-'}  ${m.useCaseName ?? ''}`);
          io.out(`  matched: ${m.matchedFields.join(', ')}`);
          io.out(`  ${m.link}`);
        }
        io.out(
          `${result.matches.length} ${result.matches.length === 1 ? 'proposal matches' : 'proposals match'} "${result.query}"`,
        );
      }
    });

  program
    .command('holidays')
    .description("list a year's holidays as the service counts them: by rule, added and removed in the config")
    .addOption(configOption())
    .option('--year <yyyy>', 'the year (default: the current year in the configured time zone)')
    .option('--json', 'print the days as a JSON array on stdout', false)
    .action(async (opts: { config: string; year?: string; json: boolean }) => {
      const asked = opts.year === undefined ? undefined : parseYear(opts.year);
      const { config, file } = await loadConfig(opts.config);
      const year = asked ?? Number(localDate(new Date(), config.timezone).slice(0, 4));
      const days = closureDays(year, holidayAdjustments(config));
      io.out(opts.json ? JSON.stringify(days, null, 2) : formatClosureDays(year, days, file));
    });

  program
    .command('import')
    .description(
      "import a department's existing tracker (.xlsx or .csv): columns and values mapped, a preview, nothing lost",
    )
    .argument('<file>', 'the .xlsx workbook or .csv file to import')
    .option('--sheet <name>', 'the worksheet to read (default: the first with a header row)')
    .option('--map <file>', 'a map file (YAML): source columns and values to tracker ones')
    .option('--write-map <file>', 'write the proposed map as YAML, for a person to correct')
    .option('--dry-run', 'print the preview and write nothing', false)
    .option('--id-prefix <prefix>', 'give rows without a BUCP ID one: the prefix and a zero-padded number')
    .option('--overwrite', 'replace tracker values that differ from the source (reported either way)', false)
    .option('--encoding <name>', 'the text encoding of a CSV (default: UTF-8, or Windows-1252 when it is not UTF-8)')
    .addOption(configOption())
    .option('--json', 'print the report as JSON on stdout', false)
    .action(
      async (
        file: string,
        opts: {
          sheet?: string;
          map?: string;
          writeMap?: string;
          dryRun: boolean;
          idPrefix?: string;
          overwrite: boolean;
          encoding?: string;
          config: string;
          json: boolean;
        },
      ) => {
        const { config } = await loadConfig(opts.config);
        const { tracker, restricted } = await createImportStores(config.store);
        // Loaded for this command only: the readers bring the CSV parser and fuzzy matching.
        const [{ runImport }, { formatImportReport }] = await Promise.all([
          import('../jobs/import.job.ts'),
          import('../import/format-report.ts'),
        ]);
        const report = await runImport(
          { config, store: tracker, restricted, logger: io.logger },
          {
            file,
            sheet: opts.sheet,
            mapFile: opts.map,
            writeMap: opts.writeMap,
            dryRun: opts.dryRun,
            idPrefix: opts.idPrefix,
            overwrite: opts.overwrite,
            encoding: opts.encoding,
            onProgress: progressLine(),
          },
        );
        io.out(opts.json ? JSON.stringify(report, null, 2) : formatImportReport(report));
      },
    );

  program
    .command('demo')
    .description('create a sample tracker with about 60 proposals and disputes, run a cycle, and say where to look')
    .option('--dir <folder>', 'where to put the demo', DEFAULT_DEMO_DIR)
    .addOption(configOption())
    .option('--now <iso>', 'the clock (default: now)')
    .action(async (opts: { dir: string; config: string; now?: string }) => {
      const { config: base } = await loadConfig(opts.config);
      const asked = parseNow(opts.now, base.timezone);
      const now = opts.now ? asked : sampleClock(asked, base);
      if (now !== asked) io.out(`Today is not a business day: the demo runs as of ${describeClock(now, base)}.`);
      const { config, configFile } = await prepareDemoFolder(opts.dir, base);
      const seeded = await seedSampleTracker(config, now);
      const report = await cycleOnce(config, now, io, { dryRun: false });
      io.out(
        [
          `Sample tracker with ${seeded.proposals} proposals, ${seeded.disputes} disputes and ${seeded.tasks} tasks.`,
          summarize(report, { tracker: trackerLocation(config), outbox: outboxOf(config) }),
          '',
          'Where to look:',
          `  - Open ${trackerLocation(config)}: the Proposals tab (system columns on the right, highlighted rows),`,
          '    the Tasks tab, the Issues tab (the sample has a few rows typed wrong on purpose), the Library',
          '    (dispute resolutions, restriction solutions, outcomes, lessons learned), and Summary, Stage Times,',
          '    Dispute Metrics, Breakdowns and Task Metrics.',
          `  - Search it: npx bucp find medi-cal --config ${path.relative(process.cwd(), configFile)}`,
          `  - Open any .eml file in ${outboxOf(config)} with your mail program, or read index.jsonl.`,
          `  - Run it again: npx bucp run --once --config ${path.relative(process.cwd(), configFile)}`,
        ].join('\n'),
      );
      if (!report.ok) process.exitCode = EXIT.failures;
    });

  program
    .command('start')
    .description('run the service (creates a sample tracker on a first start); with --once or --now, one cycle')
    .addOption(configOption())
    .option('--once', 'run one cycle and exit', false)
    .option('--now <iso>', 'the clock for one cycle (implies --once)')
    .option('--port <port>', 'status page port (default: service.port in the config)')
    .action(async (opts: { config: string; once: boolean; now?: string; port?: string }) => {
      const { config, file } = await loadConfig(opts.config);
      const once = opts.once || opts.now !== undefined;
      if (await sampleTrackerMissing(config)) {
        const now = opts.now ? parseNow(opts.now, config.timezone) : sampleClock(new Date(), config);
        const seeded = await seedSampleTracker(config, now);
        io.out(
          `No tracker at ${trackerLocation(config)} yet: created one with ${seeded.proposals} sample proposals and ${seeded.tasks} tasks.\n` +
            `  Replace it with your own workbook, or set store.path in ${file}.` +
            (opts.now ? '' : `\n  This first run of the sample is as of ${describeClock(now, config)}.`),
        );
        const report = await cycleOnce(config, now, io, { dryRun: false });
        io.out(summarize(report, { tracker: trackerLocation(config), outbox: outboxOf(config) }));
        if (!report.ok) process.exitCode = EXIT.failures;
        if (once) return;
      } else if (once) {
        const report = await cycleOnce(config, parseNow(opts.now, config.timezone), io, { dryRun: false });
        io.out(summarize(report, { tracker: trackerLocation(config), outbox: outboxOf(config) }));
        if (!report.ok) process.exitCode = EXIT.failures;
        return;
      }
      await runService(config, io, opts.port);
    });

  program
    .command('serve')
    .description('run the service: every job on its schedule, catch-up on start, a status page; Ctrl-C stops it')
    .addOption(configOption())
    .option('--port <port>', 'status page port (default: service.port in the config)')
    .option('--now <iso>', 'start the service clock at this time (drills and tests); it runs on from there')
    .action(async (opts: { config: string; port?: string; now?: string }) => {
      const { config } = await loadConfig(opts.config);
      await runService(config, io, opts.port, opts.now ? parseNow(opts.now, config.timezone) : undefined);
    });

  return program;
}

/** Runs the CLI and returns the exit code: 0 success, 1 failures in the cycle, 2 bad usage or config. */
export async function main(argv: readonly string[], io: Partial<Io> = {}): Promise<number> {
  const full: Io = {
    out: io.out ?? ((text) => process.stdout.write(`${text}\n`)),
    logger: io.logger ?? createLogger(),
  };
  const program = buildProgram(full);
  process.exitCode = undefined;
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    // A journal that cannot be written is a set-up to fix before the service may send.
    if (
      error instanceof ConfigError ||
      error instanceof UsageError ||
      error instanceof DemoFolderError ||
      error instanceof JournalError ||
      error instanceof ChatConfigError ||
      error instanceof SourceError ||
      error instanceof MapFileError
    ) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof LayoutError || error instanceof WorkbookError || error instanceof ImportBusyError) {
      full.logger.error({ err: { message: error.message } }, 'tracker not usable');
      process.stderr.write(`${error.message}\n`);
      return EXIT.failures;
    }
    full.logger.error({ err: error }, 'cycle failed');
    process.stderr.write(`${(error as Error).message}\n`);
    return EXIT.failures;
  } finally {
    process.exitCode = undefined;
  }
}
