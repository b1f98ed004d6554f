import { type Evaluation, coordinatorsOf } from './evaluate.ts';

/** What a watcher remembers between polls: each proposal's stage and status, and the disputes seen. */
export interface WatchState {
  readonly proposals: Readonly<Record<string, { readonly stage: string; readonly status: string | null }>>;
  readonly disputes: readonly string[];
}

interface ProposalChangeBase {
  readonly bucpId: string;
  readonly useCaseName: string | null;
  readonly stage: string;
  readonly status: string | null;
  readonly businessDaysInStage: number;
  readonly slaDays: number | null;
  /** Both departments' data coordinators, where the row names them. */
  readonly coordinators: readonly string[];
}

/** One change a watcher reports. Only tracker fields: nothing from the restricted store. */
export type TrackerChange =
  | (ProposalChangeBase & { readonly change: 'stage-changed'; readonly previousStage: string })
  | (ProposalChangeBase & { readonly change: 'became-stalled'; readonly previousStatus: string | null })
  | {
      readonly change: 'new-dispute';
      readonly disputeId: string;
      readonly bucpId: string | null;
      readonly level: string;
      readonly raisedOn: string | null;
      readonly coordinators: readonly string[];
    };

const STALLED: readonly (string | null)[] = ['Stalled', 'Escalated'];

/**
 * The changes since the last poll, and the state to remember for the next one. The first poll
 * (nothing remembered) reports nothing: it only learns where everything stands.
 */
export function detectChanges(
  previous: WatchState | undefined,
  evaluation: Pick<Evaluation, 'proposals' | 'disputes'>,
): { changes: TrackerChange[]; state: WatchState } {
  const proposals: Record<string, { stage: string; status: string | null }> = {};
  const coordinatorsById = new Map<string, string[]>();
  const changes: TrackerChange[] = [];
  for (const finding of evaluation.proposals) {
    const { proposal } = finding;
    const coordinators = coordinatorsOf(proposal);
    coordinatorsById.set(proposal.bucpId, coordinators);
    proposals[proposal.bucpId] = { stage: finding.stage, status: finding.status };
    const before = previous?.proposals[proposal.bucpId];
    if (!previous || !before) continue;
    const base: ProposalChangeBase = {
      bucpId: proposal.bucpId,
      useCaseName: proposal.useCaseName,
      stage: finding.stage,
      status: finding.status,
      businessDaysInStage: finding.businessDaysInStage,
      slaDays: finding.slaDays,
      coordinators,
    };
    if (before.stage !== finding.stage) {
      changes.push({ ...base, change: 'stage-changed', previousStage: before.stage });
    } else if (STALLED.includes(finding.status) && !STALLED.includes(before.status)) {
      changes.push({ ...base, change: 'became-stalled', previousStatus: before.status });
    }
  }
  const seen = new Set(previous?.disputes ?? []);
  const disputes: string[] = [];
  for (const { dispute } of evaluation.disputes) {
    disputes.push(dispute.disputeId);
    if (!previous || seen.has(dispute.disputeId)) continue;
    changes.push({
      change: 'new-dispute',
      disputeId: dispute.disputeId,
      bucpId: dispute.bucpId,
      level: dispute.level,
      raisedOn: dispute.raisedOn,
      coordinators: dispute.bucpId ? (coordinatorsById.get(dispute.bucpId) ?? []) : [],
    });
  }
  return { changes, state: { proposals, disputes } };
}
