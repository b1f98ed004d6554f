// The Sheets emulator in a process of its own, so the benchmark measures only the service's CPU and
// memory. Controlled over IPC: seed a tracker, read call statistics.
import { PROPOSAL_COLUMNS } from '../../src/core/contract.ts';
import { SheetsEmulator } from '../../test/emulator/sheets-emulator.ts';
import { benchProposal } from './bench-proposals.ts';

const emulator = new SheetsEmulator({ quota: false });
const rootUrl = await emulator.start();
emulator.registerToken('bench-token', 'bucp-bench@bench.iam.gserviceaccount.com');
emulator.createSpreadsheet('bench-tracker', { title: 'BUCP tracker (benchmark)' });
emulator.createSpreadsheet('bench-restricted', { title: 'BUCP restricted (benchmark)' });

/** Proposals as staff type them: dates as text, which Sheets turns into real dates. */
function proposals(count: number): unknown[][] {
  const header = PROPOSAL_COLUMNS.filter((c) => c.owner === 'staff').map((c) => c.header);
  return Array.from({ length: count }, (_, i) => {
    const row = benchProposal(i);
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
