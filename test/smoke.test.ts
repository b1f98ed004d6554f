import { afterEach, expect, test } from 'vitest';
import { STORE_KINDS, stopWorkspaces, workspaceOn } from './support/any-store.ts';
import { d, proposal } from './support/workspace.ts';

afterEach(stopWorkspaces);

test.each(STORE_KINDS)(
  'on %s, a drafting proposal past its SLA is reminded once to its requesting coordinator',
  async (kind) => {
    const ws = await workspaceOn(kind);
    await ws.addProposals([proposal('BUCP-1', { Stage: 'Drafting', 'Stage Entered On': d('2026-10-01') })]);
    const report = await ws.run('2026-11-23T08:00');
    expect(report.findings).toEqual([
      expect.objectContaining({ bucpId: 'BUCP-1', stage: 'Drafting', status: 'Escalated', slaDays: 15 }),
    ]);
    const sent = await ws.sent();
    expect(sent.map((e) => [e.kind, e.to])).toEqual([
      ['escalation', ['sponsor@dhcs.example.gov']],
      ['reminder', ['req@dhcs.example.gov']],
    ]);
  },
);
