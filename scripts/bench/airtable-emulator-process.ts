// The Airtable emulator in a process of its own, so the benchmark measures only the service's CPU and
// memory. Its rate limiter (5 requests a second per base, 30 s after a 429) runs on the real clock,
// unless the parent asks for it off (argv[2] = 'unlimited'). The two bases' IDs are argv[3] and argv[4].
// Controlled over IPC: seed, stats, stop.
import { TABS } from '../../src/core/contract.ts';
import { AirtableEmulator, type Json } from '../../test/emulator/airtable/airtable-emulator.ts';
import { benchProposal } from './bench-proposals.ts';

const [trackerId = '', restrictedId = ''] = process.argv.slice(3);

const emulator = new AirtableEmulator({
  recordLimit: 500_000,
  ...(process.argv[2] === 'unlimited' ? { rateLimit: false as const } : {}),
});
const endpointUrl = await emulator.start();
emulator.createBase({ id: trackerId, name: 'BUCP tracker (benchmark)' });
emulator.createBase({ id: restrictedId, name: 'BUCP restricted (benchmark)' });

const typed = (row: Record<string, string | null>): Json =>
  Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null));

process.on('message', (message: { type: string; count?: number }) => {
  if (message.type === 'seed') {
    for (let i = 0; i < (message.count ?? 0); i += 1) {
      const row = benchProposal(i);
      emulator.addRecord(trackerId, TABS.proposals, typed(row));
      emulator.addRecord(restrictedId, TABS.restricted, { 'BUCP ID': row['BUCP ID'] });
    }
    emulator.resetCalls();
    emulator.resetRateLimit();
    process.send!({ type: 'seeded' });
  } else if (message.type === 'stats') {
    const calls = emulator.calls;
    process.send!({
      type: 'stats',
      calls: calls.length,
      writes: emulator.stats.writes,
      rateLimited: emulator.stats.rateLimited,
      bytesIn: calls.reduce((n, c) => n + c.bytesIn, 0),
      bytesOut: calls.reduce((n, c) => n + c.bytesOut, 0),
    });
  } else if (message.type === 'stop') {
    void emulator.stop().then(() => process.exit(0));
  }
});
process.send!({ type: 'ready', endpointUrl });
