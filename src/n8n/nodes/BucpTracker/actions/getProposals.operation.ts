import type { INodeExecutionData } from 'n8n-workflow';
import { TABS } from '../../../../core/contract.ts';
import type { RowIssue } from '../../../../core/schema.ts';
import { readAndPlan } from '../../../../jobs/run-cycle.job.ts';
import { clock, executeSource, openTracker, plain } from '../../../transport/index.ts';
import { type Operation, limitProperties, limited } from './common.ts';

/** Every proposal row, validated, with the issues found in it. Reads only. */
export const getProposals: Operation = {
  name: 'Get Proposals',
  value: 'getProposals',
  action: 'Get proposals',
  summary: 'Validated proposal rows, each with its row issues',
  description: limitProperties('getProposals'),
  async execute() {
    const tracker = await openTracker(executeSource(this));
    const plan = await readAndPlan(tracker, { now: clock(tracker.logger) });
    const proposalIssues = plan.issues.filter((i) => i.tab === TABS.proposals);
    const issuesById = Map.groupBy(
      proposalIssues.filter((i) => i.id),
      (i) => i.id!,
    );
    const brief = (issues: readonly RowIssue[]) =>
      issues.map(({ column, severity, message }) => ({ column, severity, message }));
    const status = new Map(plan.evaluation.proposals.map((f) => [f.proposal.bucpId, f]));
    const rows = plan.proposals.records.map((p): INodeExecutionData => {
      const { systemCells: _system, errorColumns: _errors, ...fields } = p;
      const finding = status.get(p.bucpId);
      return {
        json: plain({
          ...fields,
          status: finding?.status ?? null,
          businessDaysInStage: finding?.businessDaysInStage ?? null,
          rowIssues: brief(issuesById.get(p.bucpId) ?? []),
        }),
        pairedItem: { item: 0 },
      };
    });
    // Rows that cannot be tracked (no BUCP ID) are still reported, so nothing staff typed goes unseen.
    const untracked = Map.groupBy(
      proposalIssues.filter((i) => !i.id && i.row > 0),
      (i) => i.row,
    );
    for (const [row, issues] of untracked) {
      rows.push({
        json: plain({ rowNumber: row, bucpId: null, valid: false, rowIssues: brief(issues) }),
        pairedItem: { item: 0 },
      });
    }
    return limited(this, rows);
  },
};
