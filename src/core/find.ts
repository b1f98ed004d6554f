import type { Proposal } from './schema.ts';

/**
 * The fields `bucp find` searches: tracker columns only. The restricted store's content (Specialized
 * Security, Specialized Privacy, Known Risks, Department Positions) is never an input here.
 */
export const SEARCHED_FIELDS = [
  'BUCP ID',
  'Use Case Name',
  'Requesting Department',
  'Providing Department',
  'Datasets',
  'Legal Authority',
  'Lessons Learned',
] as const;
export type SearchedField = (typeof SEARCHED_FIELDS)[number];

/** Text as search compares it: accents stripped (NFD, then no combining marks), lower case, spaces collapsed. */
export function searchKey(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/\s+/g, ' ').trim();
}

function fieldValues(p: Proposal): Record<SearchedField, string> {
  return {
    'BUCP ID': p.bucpId,
    'Use Case Name': p.useCaseName ?? '',
    'Requesting Department': p.requestingDepartment ?? '',
    'Providing Department': p.providingDepartment ?? '',
    Datasets: p.datasets.join('; '),
    'Legal Authority': p.legalAuthority ?? '',
    'Lessons Learned': p.lessonsLearned ?? '',
  };
}

export interface ProposalMatch {
  readonly proposal: Proposal;
  /** The fields where at least one word was found, in `SEARCHED_FIELDS` order. */
  readonly fields: readonly SearchedField[];
}

/**
 * The proposals where every word is found in at least one searched field, case- and accent-insensitive
 * ("medi-cal" finds "Medi-Cal", "nino" finds "Niño"). An ID match comes first, then by BUCP ID.
 */
export function searchProposals(proposals: readonly Proposal[], words: readonly string[]): ProposalMatch[] {
  const keys = words.map(searchKey).filter((w) => w !== '');
  if (keys.length === 0) return [];
  const seen = new Set<string>();
  const matches: ProposalMatch[] = [];
  for (const proposal of proposals) {
    if (seen.has(proposal.bucpId)) continue;
    seen.add(proposal.bucpId);
    const values = Object.entries(fieldValues(proposal)).map(
      ([field, v]) => [field as SearchedField, searchKey(v)] as const,
    );
    if (!keys.every((k) => values.some(([, v]) => v.includes(k)))) continue;
    const fields = values.filter(([, v]) => keys.some((k) => v.includes(k))).map(([field]) => field);
    matches.push({ proposal, fields });
  }
  const idHit = (m: ProposalMatch) => (m.fields.includes('BUCP ID') ? 0 : 1);
  return matches.sort((a, b) => idHit(a) - idHit(b) || a.proposal.bucpId.localeCompare(b.proposal.bucpId));
}
