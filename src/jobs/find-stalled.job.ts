import type { ProposalStatus } from '../core/contract.ts';
import { coordinatorsOf } from '../core/evaluate.ts';
import { type CycleDeps, readAndPlan } from './run-cycle.job.ts';

/** A proposal that needs attention: Due Soon, Stalled or Escalated. Tracker fields only. */
export interface StalledFinding {
  readonly bucpId: string;
  readonly useCaseName: string | null;
  readonly stage: string;
  readonly status: ProposalStatus;
  readonly businessDaysInStage: number;
  readonly slaDays: number | null;
  readonly stageSince: string;
  readonly coordinators: readonly string[];
}

const NEEDS_ATTENTION: ReadonlySet<ProposalStatus> = new Set(['Due Soon', 'Stalled', 'Escalated']);

/** Reads the tracker and lists the proposals that are due soon or stalled. Writes nothing. */
export async function findStalled(
  deps: Pick<CycleDeps, 'config' | 'store' | 'restricted'>,
  options: { readonly now: Date; readonly includeDueSoon?: boolean },
): Promise<{ today: string; findings: StalledFinding[] }> {
  const plan = await readAndPlan(deps, options);
  const findings: StalledFinding[] = [];
  for (const f of plan.evaluation.proposals) {
    if (f.status === null || !NEEDS_ATTENTION.has(f.status)) continue;
    if (f.status === 'Due Soon' && options.includeDueSoon === false) continue;
    const { proposal } = f;
    findings.push({
      bucpId: proposal.bucpId,
      useCaseName: proposal.useCaseName,
      stage: f.stage,
      status: f.status,
      businessDaysInStage: f.businessDaysInStage,
      slaDays: f.slaDays,
      stageSince: f.since,
      coordinators: coordinatorsOf(proposal),
    });
  }
  return { today: plan.today, findings };
}
