// The Sheets emulator in a process of its own, so the benchmark measures only the service's CPU and
// memory. Controlled over IPC: seed a tracker, read call statistics.
import { PROPOSAL_COLUMNS, STAGES as STAGES_ALL } from '../../src/core/contract.ts';
import { SheetsEmulator } from '../../test/emulator/sheets-emulator.ts';

const emulator = new SheetsEmulator({ quota: false });
const rootUrl = await emulator.start();
emulator.registerToken('bench-token', 'bucp-bench@bench.iam.gserviceaccount.com');
emulator.createSpreadsheet('bench-tracker', { title: 'BUCP tracker (benchmark)' });
emulator.createSpreadsheet('bench-restricted', { title: 'BUCP restricted (benchmark)' });

const STAGES = STAGES_ALL.filter((s) => s !== 'Withdrawn');
const DEPARTMENTS = ['DHCS', 'CDPH', 'CDSS', 'DDS', 'DSH', 'HCAI', 'DCSS', 'CDA', 'EMSA', 'DOR'];
const DATASETS = ['MEDS', 'CalFresh Caseload', 'Vital Statistics Births', 'Hospital Discharge', 'CWS/CMS', 'CMIPS'];

/** Proposals as staff type them: dates as text, which Sheets turns into real dates. */
function proposals(count: number): unknown[][] {
  const header = PROPOSAL_COLUMNS.filter((c) => c.owner === 'staff').map((c) => c.header);
  const base = Date.UTC(2026, 10, 23);
  const day = (back: number) => new Date(base - back * 86_400_000).toISOString().slice(0, 10);
  return Array.from({ length: count }, (_, i) => {
    const row: Record<string, string | null> = {
      'BUCP ID': `BUCP-${String(i + 1).padStart(6, '0')}`,
      'Use Case Name': `Data sharing use case ${i + 1}`,
      'Requesting Department': DEPARTMENTS[i % 10]!,
      'Providing Department': DEPARTMENTS[(i + 3) % 10]!,
      'Requesting Coordinator Email': `req${i % 200}@dept.example.gov`,
      'Providing Coordinator Email': `prov${i % 150}@dept.example.gov`,
      'Sponsor Email': `sponsor${i % 50}@dept.example.gov`,
      Datasets: `${DATASETS[i % 6]}; ${DATASETS[(i + 2) % 6]}`,
      Stage: STAGES[i % STAGES.length]!,
      'Stage Entered On': day((i * 7) % 60),
      'Concept On': day(200 + (i % 100)),
      'Submitted On': day(150 + (i % 50)),
      Outcome: 'Pending',
      Notes: i % 10 === 0 ? `Follow up with counsel (${i})` : null,
    };
    return header.map((h) => row[h] ?? null);
  });
}

process.on('message', (message: { type: string; count?: number }) => {
  if (message.type === 'seed') {
    const rows = proposals(message.count ?? 0);
    emulator.setRows({ spreadsheetId: 'bench-tracker', title: 'Proposals' }, rows, { startRow: 2 });
    emulator.setRows(
      { spreadsheetId: 'bench-restricted', title: 'Restricted' },
      rows.map((r) => [r[0]]),
      { startRow: 2 },
    );
    emulator.resetCalls();
    process.send!({ type: 'seeded' });
  } else if (message.type === 'stats') {
    const calls = emulator.calls;
    process.send!({
      type: 'stats',
      calls: calls.length,
      byApi: emulator.stats.byApi,
      bytesIn: calls.reduce((n, c) => n + c.bytesIn, 0),
      bytesOut: calls.reduce((n, c) => n + c.bytesOut, 0),
    });
  } else if (message.type === 'reset') {
    emulator.resetCalls();
    process.send!({ type: 'reset' });
  } else if (message.type === 'stop') {
    void emulator.stop().then(() => process.exit(0));
  }
});
process.send!({ type: 'ready', rootUrl });
