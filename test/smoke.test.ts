import { expect, test } from 'vitest';
import { d, makeWorkspace, proposal } from './support/workspace.ts';

test('a drafting proposal past its SLA is reminded once to its requesting coordinator', async () => {
  const ws = await makeWorkspace();
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
});
