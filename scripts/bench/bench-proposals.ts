// The benchmark's proposals, as staff type them, for every store's benchmark: dates as YYYY-MM-DD text.
import { STAGES as STAGES_ALL } from '../../src/core/contract.ts';

const STAGES = STAGES_ALL.filter((s) => s !== 'Withdrawn');
const DEPARTMENTS = ['DHCS', 'CDPH', 'CDSS', 'DDS', 'DSH', 'HCAI', 'DCSS', 'CDA', 'EMSA', 'DOR'];
const DATASETS = ['MEDS', 'CalFresh Caseload', 'Vital Statistics Births', 'Hospital Discharge', 'CWS/CMS', 'CMIPS'];

/** Proposal `i` (from 0) by header; blank fields are null. */
export function benchProposal(i: number): Record<string, string | null> {
  const base = Date.UTC(2026, 10, 23);
  const day = (back: number) => new Date(base - back * 86_400_000).toISOString().slice(0, 10);
  return {
    'BUCP ID': `BUCP-${String(i + 1).padStart(6, '0')}`,
    'Use Case Name': `Data sharing use case ${i + 1}`,
    'Requesting Department': DEPARTMENTS[i % 10]!,
    'Providing Department': DEPARTMENTS[(i + 3) % 10]!,
    'Requesting Coordinator Email': `req${i % 200}@dept.example.gov`,
    'Providing Coordinator Email': `prov${i % 150}@dept.example.gov`,
    'Sponsor Email': `sponsor${i % 50}@dept.example.gov`,
    Datasets: `${DATASETS[i % 6]}; ${DATASETS[(i + 2) % 6]}`,
    Stage: STAGES[i % STAGES.length]!,
    'Stage Entered On': day((i * 7) % 60),
    'Concept On': day(200 + (i % 100)),
    'Submitted On': day(150 + (i % 50)),
    Outcome: 'Pending',
    Notes: i % 10 === 0 ? `Follow up with counsel (${i})` : null,
  };
}
