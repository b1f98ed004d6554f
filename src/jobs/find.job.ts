import { TABS } from '../core/contract.ts';
import { type SearchedField, searchProposals } from '../core/find.ts';
import { type CycleDeps, readAndPlan } from './run-cycle.job.ts';

/** One proposal `bucp find` found: tracker fields only, with a link to its row. */
export interface FoundProposal {
  readonly bucpId: string;
  readonly useCaseName: string | null;
  readonly stage: string | null;
  /** The Status column's value (On Track, Due Soon, Stalled, Escalated, Closed); null without a stage. */
  readonly status: string | null;
  readonly matchedFields: readonly SearchedField[];
  readonly link: string;
}

export interface FindResult {
  readonly query: string;
  readonly today: string;
  readonly matches: readonly FoundProposal[];
}

/** Searches the proposals by ID, name, department, dataset, legal authority and lessons. Writes nothing. */
export async function findProposals(
  deps: Pick<CycleDeps, 'config' | 'store' | 'restricted'>,
  options: { readonly now: Date; readonly words: readonly string[] },
): Promise<FindResult> {
  const plan = await readAndPlan(deps, options);
  const findings = new Map(plan.evaluation.proposals.map((f) => [f.proposal.bucpId, f]));
  const matches = searchProposals(plan.proposals.records, options.words).map(({ proposal, fields }) => {
    const finding = findings.get(proposal.bucpId);
    return {
      bucpId: proposal.bucpId,
      useCaseName: proposal.useCaseName,
      stage: finding?.stage ?? proposal.stage,
      status: finding?.status ?? null,
      matchedFields: fields,
      link: deps.store.rowLink(TABS.proposals, proposal.bucpId, proposal.rowNumber),
    };
  });
  return { query: options.words.join(' '), today: plan.today, matches };
}
