import type { BusinessCalendar } from '../core/calendar.ts';
import { DEFAULT_SLAS } from '../core/config.ts';
import { type Stage, OPEN_STAGES } from '../core/contract.ts';
import { type IsoDate, addDays, fromDayNumber, toDayNumber } from '../core/dates.ts';
import type { StaffValue } from '../stores/xlsx-seed.ts';

type Row = Record<string, StaffValue>;

export interface SampleData {
  readonly proposals: Row[];
  readonly disputes: Row[];
  readonly tasks: Row[];
  readonly restricted: Row[];
}

/** A small seeded generator, so the same day always yields the same sample. */
function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}

const DEPARTMENTS: { code: string; domain: string; people: string[] }[] = [
  { code: 'DHCS', domain: 'dhcs.example.gov', people: ['maria.lopez', 'kevin.tran', 'angela.reyes'] },
  { code: 'CDPH', domain: 'cdph.example.gov', people: ['james.okafor', 'linda.chen', 'rosa.martinez'] },
  { code: 'CDSS', domain: 'cdss.example.gov', people: ['daniel.kim', 'patricia.nguyen'] },
  { code: 'DDS', domain: 'dds.example.gov', people: ['samuel.wright', 'elena.garcia'] },
  { code: 'DSH', domain: 'dsh.example.gov', people: ['michael.brown'] },
  { code: 'HCAI', domain: 'hcai.example.gov', people: ['sofia.hernandez', 'thomas.lee'] },
  { code: 'DCSS', domain: 'dcss.example.gov', people: ['grace.park'] },
  { code: 'CDA', domain: 'aging.example.gov', people: ['robert.diaz'] },
  { code: 'EMSA', domain: 'emsa.example.gov', people: ['nina.patel'] },
  { code: 'DOR', domain: 'dor.example.gov', people: ['omar.haddad'] },
];

const USE_CASES = [
  'Medi-Cal enrollment and CalFresh participation match',
  'Developmental services caseload forecasting',
  'Opioid overdose surveillance linkage',
  'Foster youth health outcomes study',
  'Hospital discharge and housing support referrals',
  'Child support and Medi-Cal eligibility verification',
  'In-Home Supportive Services provider workforce analysis',
  'Maternal health and WIC participation linkage',
  'State hospital readmission risk dashboard',
  'Emergency medical services response times by county',
  'Vocational rehabilitation and employment outcomes',
  'Older adult falls prevention targeting',
  'Behavioral health continuum of care capacity',
  'Homelessness and emergency department utilization',
  'Immunization registry and school enrollment match',
  'Long-term care facility quality indicators',
  'CalWORKs and child care subsidy coordination',
  'Tuberculosis case management referrals',
];

const DATASETS = [
  'Medi-Cal Eligibility (MEDS)',
  'CalFresh Caseload',
  'Vital Statistics Births',
  'Vital Statistics Deaths',
  'CalREDIE Communicable Disease',
  'Hospital Discharge (PDD)',
  'Emergency Department Data',
  'IHSS Case Management (CMIPS)',
  'Regional Center Client Master File',
  'Child Welfare Services (CWS/CMS)',
  'Child Support Enforcement (CSE)',
  'California Immunization Registry',
  'EMS Patient Care Records',
  'WIC Participant Data',
];

const DATA_SHARING_OUTCOMES = [
  'Quarterly de-identified extract delivered; feeds the enrollment dashboard',
  'Linked cohort built; findings briefed to program leadership',
  'Monthly aggregate counts published by county',
  'Referral workflow live in three counties',
];

const LEGAL = [
  'W&I Code 14100.2',
  'H&S Code 121025',
  'W&I Code 10850',
  'Civil Code 1798.24 (IPA)',
  'HIPAA 45 CFR 164.512',
];

const SAMPLE_RESTRICTED: Row = {
  'Specialized Security': 'Encrypted SFTP transfer; access limited to named analysts; annual attestation.',
  'Specialized Privacy': 'Minimum necessary elements; small cells under 11 suppressed before release.',
  'Known Risks': 'Re-identification risk in rural counties; mitigated by aggregation to region.',
  'Department Positions': 'Provider counsel concurs with conditions.',
};

const LESSONS = [
  'Agree the de-identification method with the provider before drafting; it saved two review rounds.',
  'Bring the privacy office in at Concept: their questions shaped the data elements.',
  'A data dictionary attached to the draft avoided a month of back-and-forth on field meanings.',
  'Small-cell suppression rules written into the BUCP up front kept the dispute short.',
  'Name a sponsor early: the escalation went faster with one.',
  'Test the SFTP transfer with dummy data before the first real extract.',
];

const TASKS = [
  'Send the revised draft to the provider',
  'Confirm the transfer method with IT security',
  "Collect both directors' signatures",
  'Send the signed BUCP to the Governance Liaison for filing',
  'Set up the SFTP account for the recipient',
  'Review the data dictionary with program staff',
  'Schedule the privacy office review',
];

function backBusinessDays(calendar: BusinessCalendar, from: IsoDate, n: number): IsoDate {
  let day = toDayNumber(from);
  let remaining = n;
  while (remaining > 0) {
    day -= 1;
    if (calendar.isBusinessDay(fromDayNumber(day))) remaining -= 1;
  }
  return fromDayNumber(day);
}

const asDate = (d: IsoDate | null): Date | null => (d ? new Date(`${d}T00:00:00Z`) : null);

function person(dept: (typeof DEPARTMENTS)[number], name: string): string {
  return `${name}@${dept.domain}`;
}

/** About sixty proposals and a dozen disputes, with the spread of states a real tracker has. */
export function sampleData(today: IsoDate, calendar: BusinessCalendar, count = 60): SampleData {
  const rng = random(toDayNumber(today));
  const proposals: Row[] = [];
  const restricted: Row[] = [];
  let missingRecords = 0;
  for (let i = 1; i <= count; i += 1) {
    const id = `BUCP-${String(2025000 + i).slice(-7)}`;
    const requesting = rng.pick(DEPARTMENTS);
    let providing = rng.pick(DEPARTMENTS);
    while (providing === requesting) providing = rng.pick(DEPARTMENTS);
    const roll = rng.next();
    const stage: Stage =
      roll < 0.62 ? rng.pick(OPEN_STAGES) : roll < 0.8 ? 'Active' : roll < 0.93 ? 'Closed' : 'Withdrawn';
    const row: Row = {
      'BUCP ID': id,
      'Use Case Name': rng.pick(USE_CASES),
      'Requesting Department': requesting.code,
      'Providing Department': providing.code,
      'Requesting Coordinator Email': person(requesting, rng.pick(requesting.people)),
      'Providing Coordinator Email': person(providing, rng.pick(providing.people)),
      'Sponsor Email': rng.next() < 0.85 ? `deputy.director@${requesting.domain}` : null,
      Datasets: [
        ...new Set([rng.pick(DATASETS), rng.pick(DATASETS), ...(rng.next() < 0.4 ? [rng.pick(DATASETS)] : [])]),
      ].join('; '),
      Stage: stage,
      'Legal Authority': rng.pick(LEGAL),
      Documents: `https://sharepoint.example.gov/bucp/${id}`,
    };
    const order = OPEN_STAGES.indexOf(stage as (typeof OPEN_STAGES)[number]);
    if (order >= 0) {
      const sla = DEFAULT_SLAS[stage] ?? 10;
      const mood = rng.next();
      const b =
        mood < 0.4
          ? rng.int(0, Math.max(sla - 3, 0))
          : mood < 0.6
            ? rng.int(sla - 2, sla)
            : mood < 0.85
              ? rng.int(sla + 1, 2 * sla)
              : rng.int(2 * sla + 1, 2 * sla + 12);
      const entered = backBusinessDays(calendar, today, b);
      let cursor = entered;
      const durations = OPEN_STAGES.slice(0, order)
        .map(() => rng.int(7, 35))
        .reverse();
      const starts: IsoDate[] = [];
      for (const d of durations) {
        cursor = addDays(cursor, -d);
        starts.unshift(cursor);
      }
      starts.push(entered);
      row['Stage Entered On'] = rng.next() < 0.8 ? asDate(entered) : null;
      row['Concept On'] = asDate(starts[0]!);
      if (order >= 2) row['Submitted On'] = asDate(starts[2]!);
      if (order >= 4) row['Approved On'] = asDate(starts[4]!);
      if (order >= 5) row['Filed On'] = asDate(starts[5]!);
      row.Outcome = order >= 4 ? rng.pick(['Approved', 'Approved', 'Approved with Modifications'] as const) : 'Pending';
      if (order >= 4)
        row['Restriction Solution'] = rng.pick([
          'None',
          'Aggregation',
          'De-identification',
          'Reduced Data Elements',
          'Consent',
        ]);
      if (rng.next() < 0.5) {
        row['Next Action'] = rng.pick([
          'Send revised draft to the provider',
          'Schedule privacy office review',
          'Collect signatures from both directors',
          'Confirm transfer method with IT security',
        ]);
        row['Next Action Owner Email'] = row['Requesting Coordinator Email'] as string;
        row['Next Action Due'] = asDate(addDays(today, rng.int(-12, 10)));
      }
    } else {
      // Far enough back that every milestone up to the first transfer lies in the past.
      const concept = addDays(today, -rng.int(270, 620));
      const submitted = addDays(concept, rng.int(15, 60));
      row['Concept On'] = asDate(concept);
      row['Submitted On'] = asDate(submitted);
      if (stage === 'Withdrawn') {
        row.Outcome = 'Withdrawn';
        row['Stage Entered On'] = asDate(addDays(submitted, rng.int(5, 40)));
        row['Closed On'] = row['Stage Entered On'] as Date;
      } else {
        const denied = stage === 'Closed' && rng.next() < 0.25;
        const approved = addDays(submitted, rng.int(20, 90));
        row['Approved On'] = denied ? null : asDate(approved);
        row.Outcome = denied ? 'Denied' : rng.pick(['Approved', 'Approved with Modifications'] as const);
        row['Restriction Solution'] = denied
          ? null
          : rng.pick(['None', 'Aggregation', 'De-identification', 'Reduced Data Elements', 'Consent', 'Other']);
        if (!denied) {
          const filed = addDays(approved, rng.int(5, 30));
          const transfer = addDays(filed, rng.int(10, 70));
          row['Filed On'] = asDate(filed);
          row['First Data Transfer On'] = asDate(transfer);
          row['Stage Entered On'] = asDate(transfer);
          if (rng.next() < 0.7) row['Data-Sharing Outcome'] = rng.pick(DATA_SHARING_OUTCOMES);
          if (stage === 'Closed') {
            const closed = addDays(transfer, rng.int(30, 200));
            row['Closed On'] = asDate(closed > today ? today : closed);
            row['Stage Entered On'] = row['Closed On'] as Date;
            row['End Date'] = row['Closed On'] as Date;
            // Closed out: the data was destroyed when the agreement ended.
            row['Data Disposition'] = 'Destroyed';
            row['Disposition On'] = row['Closed On'] as Date;
          }
        } else {
          row['Closed On'] = asDate(addDays(submitted, rng.int(30, 90)));
          row['Stage Entered On'] = row['Closed On'] as Date;
        }
      }
    }
    proposals.push(row);
    const needsRecord = !['Concept', 'Drafting', 'Internal Review', 'Withdrawn'].includes(stage);
    // Two proposals past Internal Review lack their restricted record, to show the warning.
    if (needsRecord && missingRecords < 2 && i > 10) missingRecords += 1;
    else if (needsRecord || rng.next() < 0.5) {
      restricted.push({ 'BUCP ID': id, ...SAMPLE_RESTRICTED });
    }
  }
  const showcase = agreementEndShowcase(today, calendar);
  proposals.push(...showcase);
  for (const row of showcase) restricted.push({ ...SAMPLE_RESTRICTED, 'BUCP ID': row['BUCP ID']! });
  // Rows as staff really type them, mistakes included, so the Issues tab has something to show.
  proposals.push(
    { ...proposals[0]!, 'BUCP ID': 'BUCP-2025901', Stage: 'Pending Review', 'Use Case Name': 'Typo in the stage' },
    {
      ...proposals[1]!,
      'BUCP ID': 'BUCP-2025902',
      'Requesting Coordinator Email': 'maria.lopez@',
      'Use Case Name': 'Incomplete email',
    },
    {
      ...proposals[2]!,
      'BUCP ID': 'BUCP-2025903',
      'Submitted On': '31/12/2025',
      'Use Case Name': 'Day and month swapped',
    },
    { ...proposals[3]!, 'BUCP ID': null, 'Use Case Name': 'A row someone forgot to number' },
  );

  const disputes: Row[] = [];
  const categories = ['Provider Objection', 'De-identification Method', 'Cost', 'Other'] as const;
  const openOnes = proposals.filter(
    (p) => p['BUCP ID'] && OPEN_STAGES.includes(p.Stage as (typeof OPEN_STAGES)[number]),
  );
  for (let d = 1; d <= 12; d += 1) {
    const proposal = openOnes[(d * 7) % openOnes.length]!;
    const raised = backBusinessDays(calendar, today, rng.int(3, 45));
    const row: Row = {
      'Dispute ID': `DSP-${String(100 + d)}`,
      'BUCP ID': proposal['BUCP ID'] as string,
      'Raised On': asDate(raised),
      Category: rng.pick(categories),
      Level: 'Data Coordinators',
      Decision: 'Pending',
    };
    const fate = rng.next();
    if (fate < 0.3) {
      const resolved = addDays(raised, rng.int(2, 20));
      if (resolved <= today) {
        row['Resolved On'] = asDate(resolved);
        row.Decision = rng.pick(['Approved', 'Modified', 'Denied'] as const);
        row['Resolution Summary'] = 'Agreed to aggregate to county level and drop free-text fields.';
      }
    } else if (fate < 0.55) {
      row.Level = 'Risk Management Subcommittee';
      row['Level Entered On'] = asDate(backBusinessDays(calendar, today, rng.int(2, 16)));
    }
    disputes.push(row);
  }
  const { tasks } = addTasksAndLessons(proposals, today, calendar);
  return { proposals, disputes, tasks, restricted };
}

/**
 * Tasks (overdue, due soon, open and done, one for a proposal that does not exist) and lessons learned,
 * so a first run shows the Tasks tab, task reminders and the Library. A generator of its own keeps the
 * rest of the sample as it was.
 */
function addTasksAndLessons(proposals: Row[], today: IsoDate, calendar: BusinessCalendar): { tasks: Row[] } {
  const rng = random(toDayNumber(today) + 1);
  for (const row of proposals) {
    if (!row['BUCP ID']) continue;
    const finished = row.Stage === 'Active' || row.Stage === 'Closed';
    if (rng.next() < (finished ? 0.6 : 0.15)) row['Lessons Learned'] = rng.pick(LESSONS);
  }
  const open = proposals.filter((p) => p['BUCP ID'] && OPEN_STAGES.includes(p.Stage as (typeof OPEN_STAGES)[number]));
  const closed = proposals.filter((p) => p.Stage === 'Closed');
  const tasks: Row[] = [];
  const dueOn = (kind: number): { due: IsoDate; doneOn: IsoDate | null } => {
    if (kind === 0) return { due: backBusinessDays(calendar, today, rng.int(1, 8)), doneOn: null }; // overdue
    if (kind === 1) return { due: today, doneOn: null }; // due soon (today)
    if (kind === 2) return { due: calendar.addBusinessDays(today, rng.int(1, 2)), doneOn: null }; // due soon
    if (kind === 3) return { due: calendar.addBusinessDays(today, rng.int(5, 25)), doneOn: null }; // open
    const due = backBusinessDays(calendar, today, rng.int(2, 10));
    return { due, doneOn: backBusinessDays(calendar, today, 1) }; // done
  };
  open.slice(0, 16).forEach((p, i) => {
    const count = 1 + (i % 2);
    for (let k = 0; k < count; k += 1) {
      const { due, doneOn } = dueOn((i + k) % 5);
      const owner = rng.next() < 0.6 ? p['Requesting Coordinator Email'] : p['Providing Coordinator Email'];
      tasks.push({
        'Task ID': `TSK-${String(tasks.length + 1).padStart(3, '0')}`,
        'BUCP ID': p['BUCP ID'] as string,
        Task: rng.pick(TASKS),
        'Owner Email': owner as string,
        Due: asDate(due),
        'Done On': asDate(doneOn),
      });
    }
  });
  // A task of a Closed proposal is never reminded, and one whose BUCP ID matches no proposal is a row issue.
  if (closed[0]) {
    tasks.push({
      'Task ID': `TSK-${String(tasks.length + 1).padStart(3, '0')}`,
      'BUCP ID': closed[0]['BUCP ID'] as string,
      Task: 'Confirm the data was destroyed',
      'Owner Email': closed[0]['Requesting Coordinator Email'] as string,
      Due: asDate(backBusinessDays(calendar, today, 3)),
    });
  }
  tasks.push({
    'Task ID': `TSK-${String(tasks.length + 1).padStart(3, '0')}`,
    'BUCP ID': 'BUCP-2099999',
    Task: 'Draft the data dictionary',
    'Owner Email': 'maria.lopez@dhcs.example.gov',
    Due: asDate(calendar.addBusinessDays(today, 10)),
    Notes: 'Which proposal is this for?',
  });
  return { tasks };
}

/**
 * A proposal for each state of an agreement's end and each of the Governance Liaison's notices, so
 * the first run shows them all: renewal points, a disposition due and one overdue, a closed-out
 * agreement, a fresh submission, an approved BUCP waiting to be filed, and a disposition typed wrong.
 */
function agreementEndShowcase(today: IsoDate, calendar: BusinessCalendar): Row[] {
  const [dhcs, cdph] = [DEPARTMENTS[0]!, DEPARTMENTS[1]!];
  const base = (n: number, name: string, fields: Row): Row => ({
    'BUCP ID': `BUCP-20258${String(n).padStart(2, '0')}`,
    'Use Case Name': name,
    'Requesting Department': dhcs.code,
    'Providing Department': cdph.code,
    'Requesting Coordinator Email': person(dhcs, dhcs.people[0]!),
    'Providing Coordinator Email': person(cdph, cdph.people[0]!),
    'Sponsor Email': `deputy.director@${dhcs.domain}`,
    Datasets: 'Medi-Cal Eligibility (MEDS); Vital Statistics Births',
    'Legal Authority': 'W&I Code 14100.2',
    Outcome: 'Approved',
    'Restriction Solution': 'Aggregation',
    ...fields,
  });
  const past = (n: number) => asDate(addDays(today, -n));
  const active = (endIn: number): Row => ({
    Stage: 'Active',
    'Concept On': past(500),
    'Submitted On': past(470),
    'Approved On': past(430),
    'Filed On': past(420),
    'First Data Transfer On': past(380),
    'Stage Entered On': past(380),
    'End Date': asDate(addDays(today, endIn)),
  });
  const closed = (endedAgo: number): Row => ({
    ...active(-endedAgo),
    Stage: 'Closed',
    'Closed On': past(endedAgo),
    'Stage Entered On': past(endedAgo),
  });
  const approvedOn = backBusinessDays(calendar, today, 8);
  return [
    base(0, 'Agreement in force until next year', active(400)),
    base(1, 'Agreement ending: renewal at the 90-day point', active(75)),
    base(2, 'Agreement ending: renewal at the 30-day point', active(20)),
    base(3, 'Agreement ended: data disposition due', closed(4)),
    base(4, 'Agreement ended: data disposition overdue', closed(25)),
    base(5, 'Agreement closed out: data retained with safeguards', {
      ...closed(60),
      'Data Disposition': 'Retained with Safeguards',
      'Disposition On': past(55),
    }),
    base(6, 'Submitted for review this week', {
      Stage: 'Provider Review',
      Outcome: 'Pending',
      'Restriction Solution': null,
      'Concept On': past(60),
      'Submitted On': asDate(backBusinessDays(calendar, today, 1)),
      'Stage Entered On': asDate(backBusinessDays(calendar, today, 1)),
    }),
    base(7, 'Approved, waiting to be filed with the Governance Liaison', {
      Stage: 'Signatures',
      'Concept On': past(90),
      'Submitted On': past(60),
      'Approved On': asDate(approvedOn),
      'Stage Entered On': asDate(approvedOn),
    }),
    base(8, 'Disposition date without a disposition', { ...closed(30), 'Disposition On': past(28) }),
  ];
}
