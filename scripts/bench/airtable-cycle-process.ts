// One Airtable benchmark run in a fresh process: `bucp init` on two empty bases, `size` proposals typed
// in, then the first sync's full cycle, against the Airtable emulator in a process of its own. Modes:
// "batched", the service's store (10 records a request); "per-record", the same store sending one
// request per changed record, the pattern of n8n's Airtable node. Pacing: "paced", the store's own
// pacing against the emulator's real-clock limiter (5 requests a second per base), so the wall time is
// what a real base would take; "unpaced", neither, for sizes whose paced run would take many minutes
// (the wall time a real base would take is then the request count at the store's pacing). One JSON line out.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/core/config.ts';
import type { Mailer } from '../../src/core/ports.ts';
import { runInit } from '../../src/jobs/init.job.ts';
import { runCycle } from '../../src/jobs/run-cycle.job.ts';
import { createLogger } from '../../src/log.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { AirtableRestrictedStore, AirtableTrackerStore } from '../../src/stores/airtable-store.ts';
import { AirtableTransport, DEFAULT_MIN_INTERVAL_MS, type RecordRequest } from '../../src/stores/airtable/transport.ts';
import { FIRST_DAY } from './bench-tracker.ts';

const [size = 1000, mode = 'batched', pacing = 'paced'] = [Number(process.argv[2]), process.argv[3], process.argv[4]];
const TRACKER = 'appBenchTracker01';
const RESTRICTED = 'appBenchRestrct01';

/** n8n's Airtable node: one request per record, where Airtable takes 10 a request. */
class PerRecordTransport extends AirtableTransport {
  override async records<T>(what: string, kind: 'read' | 'write', request: RecordRequest): Promise<T> {
    const body = request.body as { records?: unknown[] } | undefined;
    if (kind === 'read' || !body?.records || body.records.length <= 1) return super.records<T>(what, kind, request);
    const answers: unknown[] = [];
    for (const record of body.records) {
      const answer = await super.records<{ records?: unknown[] }>(what, kind, {
        ...request,
        body: { ...body, records: [record] },
      });
      answers.push(...(answer.records ?? []));
    }
    return { records: answers } as T;
  }
}

const emulator = fork(
  fileURLToPath(new URL('airtable-emulator-process.ts', import.meta.url)),
  [pacing === 'paced' ? 'limited' : 'unlimited', TRACKER, RESTRICTED],
  { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] },
);
// The emulator goes with this process, however it ends.
process.on('exit', () => emulator.kill());
const ask = <T>(message: object, reply: string) =>
  new Promise<T>((resolve) => {
    const on = (m: { type: string } & T) => {
      if (m.type !== reply) return;
      emulator.off('message', on);
      resolve(m);
    };
    emulator.on('message', on);
    emulator.send(message);
  });
const { endpointUrl } = await new Promise<{ endpointUrl: string }>((resolve) =>
  emulator.once('message', (m: { endpointUrl: string }) => resolve(m)),
);

// The process holds what the service's does: the CLI and the libraries it loads.
await import('../../src/cli/main.ts');

const parsed = parseConfig({
  store: { kind: 'airtable', baseId: TRACKER, restrictedBaseId: RESTRICTED, endpointUrl },
  mail: { kind: 'outbox', dir: 'unused' },
  contacts: { governanceLiaison: 'liaison@chhs.example.gov' },
});
if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
const config = parsed.config;
const Transport = mode === 'per-record' ? PerRecordTransport : AirtableTransport;
const transport = (baseId: string) =>
  new Transport({
    baseId,
    token: 'patBench.0123456789',
    endpointUrl,
    ...(pacing === 'paced' ? {} : { minIntervalMs: 0 }),
  });
const tracker = new AirtableTrackerStore({ baseId: TRACKER, transport: transport(TRACKER), recordLimit: 500_000 });
const restricted = new AirtableRestrictedStore({ baseId: RESTRICTED, transport: transport(RESTRICTED) });
await runInit({ config, store: tracker, restricted });
await ask({ type: 'seed', count: size }, 'seeded');

// Messages are rendered as in a real cycle, then dropped: the benchmark measures the tracker, not mail.
const mailer: Mailer = {
  kind: 'null',
  describe: () => 'null',
  close: async () => {},
  send: async (m) => ({ status: 'sent', messageId: m.key }),
};
const templates = await MailTemplates.load();
const logger = createLogger({ level: 'silent' });
const cpu = process.cpuUsage();
const started = performance.now();
const report = await runCycle({ config, store: tracker, restricted, mailer, templates, logger }, { now: FIRST_DAY });
const wallMs = performance.now() - started;
const used = process.cpuUsage(cpu);
const stats = await ask<{ calls: number; writes: number; rateLimited: number; bytesIn: number; bytesOut: number }>(
  { type: 'stats' },
  'stats',
);
emulator.send({ type: 'stop' });
process.stdout.write(
  `${JSON.stringify({
    size,
    mode,
    pacing,
    calls: stats.calls,
    writes: stats.writes,
    rateLimited: stats.rateLimited,
    bytesSent: stats.bytesIn,
    bytesReceived: stats.bytesOut,
    cpuMs: Math.round((used.user + used.system) / 1000),
    wallMs: Math.round(wallMs),
    /** The request count at the store's pacing (one request per 220 ms, below Airtable's 5 a second). */
    paceWallMs: stats.calls * DEFAULT_MIN_INTERVAL_MS,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    ok: report.ok,
    cellsWritten: report.writes.cellsWritten,
  })}\n`,
);
process.exit(0);
