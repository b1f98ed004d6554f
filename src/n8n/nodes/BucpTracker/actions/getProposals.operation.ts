import type { INodeExecutionData } from 'n8n-workflow';
import { readAndPlan } from '../../../../jobs/run-cycle.job.ts';
import { clock, executeSource, openTracker } from '../../../transport/index.ts';
import { type Operation, plain } from './common.ts';

/** Every proposal row, validated, with the issues found in it. Reads only. */
export const getProposals: Operation = {
  name: 'Get Proposals',
  value: 'getProposals',
  action: 'Get proposals',
  summary: 'Validated proposal rows, each with its row issues',
  description: [],
  async execute() {
    const tracker = await openTracker(executeSource(this));
    const plan = await readAndPlan(tracker, { now: clock(tracker.logger) });
    const issuesById = Map.groupBy(
      plan.issues.filter((i) => i.tab === 'Proposals' && i.id),
      (i) => i.id!,
    );
    const status = new Map(plan.evaluation.proposals.map((f) => [f.proposal.bucpId, f]));
    return plan.proposals.records.map((p): INodeExecutionData => {
      const { systemCells: _system, errorColumns: _errors, ...fields } = p;
      const finding = status.get(p.bucpId);
      return {
        json: plain({
          ...fields,
          status: finding?.status ?? null,
          businessDaysInStage: finding?.businessDaysInStage ?? null,
          rowIssues: (issuesById.get(p.bucpId) ?? []).map(({ column, severity, message }) => ({
            column,
            severity,
            message,
          })),
        }),
        pairedItem: { item: 0 },
      };
    });
  },
};
