import type { BusinessCalendar } from './calendar.ts';
import { TABS } from './contract.ts';
import type { IsoDate } from './dates.ts';
import type { DisputeFinding } from './evaluate.ts';
import type { History } from './history.ts';
import { type SummaryCell, type SummaryTable, highestLevelReached } from './metrics.ts';
import type { Proposal } from './schema.ts';

/**
 * The reference library: what past proposals and disputes teach, kept where teams can find and reuse
 * it. Built from the tracker's staff columns only; the restricted store is never an input here.
 */
export interface LibraryInput {
  readonly today: IsoDate;
  readonly proposals: readonly Proposal[];
  readonly disputes: readonly DisputeFinding[];
  readonly history: History;
  readonly calendar: BusinessCalendar;
}

/** The latest dated milestone of a proposal: what "newest first" sorts by. */
export function latestMilestone(p: Proposal): IsoDate {
  const dates = [
    p.closedOn,
    p.firstDataTransferOn,
    p.filedOn,
    p.approvedOn,
    p.submittedOn,
    p.conceptOn,
    p.stageEnteredOn,
  ].filter((d): d is IsoDate => d !== null);
  return dates.reduce((a, b) => (b > a ? b : a), '');
}

const newestFirst = (a: Proposal, b: Proposal) =>
  latestMilestone(b).localeCompare(latestMilestone(a)) || a.bucpId.localeCompare(b.bucpId);

function section(title: string, header: readonly string[], rows: readonly SummaryCell[][]): SummaryCell[][] {
  return [[title], [...header], ...(rows.length > 0 ? rows : [['(none yet)']]), []];
}

/** The Library tab: four sections, each newest first. */
export function libraryTable(input: LibraryInput): SummaryTable {
  // One row per BUCP ID: a duplicated ID's first row stands for it, as on the Proposals tab.
  const byId = new Map<string, Proposal>();
  for (const p of input.proposals) if (!byId.has(p.bucpId)) byId.set(p.bucpId, p);
  const sorted = [...byId.values()].sort(newestFirst);

  const disputes = input.disputes
    .filter((d) => d.dispute.resolvedOn)
    .sort(
      (a, b) =>
        b.dispute.resolvedOn!.localeCompare(a.dispute.resolvedOn!) ||
        a.dispute.disputeId.localeCompare(b.dispute.disputeId),
    )
    .map((d): SummaryCell[] => {
      const { dispute } = d;
      const raised = dispute.raisedOn;
      const resolved = dispute.resolvedOn!;
      return [
        dispute.disputeId,
        dispute.bucpId ?? null,
        (dispute.bucpId && byId.get(dispute.bucpId)?.useCaseName) || null,
        dispute.category ?? null,
        highestLevelReached(d, input.history),
        dispute.decision ?? null,
        raised && resolved >= raised ? input.calendar.businessDaysBetween(raised, resolved) : null,
        dispute.resolutionSummary ?? null,
      ];
    });

  const solutions = sorted
    .filter((p) => p.restrictionSolution && p.restrictionSolution !== 'None')
    .sort((a, b) => a.restrictionSolution!.localeCompare(b.restrictionSolution!) || newestFirst(a, b))
    .map((p): SummaryCell[] => [
      p.restrictionSolution!,
      p.bucpId,
      p.useCaseName ?? null,
      p.legalAuthority ?? null,
      p.datasets.join('; '),
      p.outcome ?? null,
      p.dataSharingOutcome ?? null,
      p.documents ?? null,
    ]);

  const outcomes = sorted
    .filter((p) => p.stage === 'Active' || p.stage === 'Closed')
    .map((p): SummaryCell[] => [
      p.bucpId,
      p.useCaseName ?? null,
      p.stage!,
      p.requestingDepartment ?? null,
      p.providingDepartment ?? null,
      p.firstDataTransferOn ?? null,
      p.dataSharingOutcome ?? '(not recorded yet)',
    ]);

  const lessons = sorted
    .filter((p) => p.lessonsLearned)
    .map((p): SummaryCell[] => [
      p.bucpId,
      p.useCaseName ?? null,
      p.stage ?? null,
      p.outcome ?? null,
      p.lessonsLearned!,
    ]);

  const rows: SummaryCell[][] = [
    ['BUCP reference library'],
    [`As of ${input.today}. Rebuilt from the tracker each cycle; edits here are overwritten.`],
    [],
    ...section(
      'Dispute resolutions (newest first)',
      [
        'Dispute ID',
        'BUCP ID',
        'Use case',
        'Category',
        'Highest level reached',
        'Decision',
        'Business days to resolve',
        'Resolution Summary',
      ],
      disputes,
    ),
    ...section(
      'Statutory restriction solutions, with the proposals that used them',
      [
        'Restriction Solution',
        'BUCP ID',
        'Use case',
        'Legal Authority',
        'Datasets',
        'Outcome',
        'Data-sharing outcome',
        'Documents',
      ],
      solutions,
    ),
    ...section(
      'Data-sharing outcomes of Active and Closed proposals (newest first)',
      ['BUCP ID', 'Use case', 'Stage', 'Requesting', 'Providing', 'First data transfer', 'Data-sharing outcome'],
      outcomes,
    ),
    ...section(
      'Lessons learned (newest first)',
      ['BUCP ID', 'Use case', 'Stage', 'Outcome', 'Lessons Learned'],
      lessons,
    ),
  ];
  return { tab: TABS.library, rows };
}
