import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import type { TemplateName } from '../../src/core/notifications.ts';
import { DEFAULT_TEMPLATES_DIR, MailTemplates } from '../../src/mail/render.ts';

const TODAY = '2026-11-23';
/** A value a person could type into the tracker, with every character HTML cares about. */
const MARKUP = `Tom & Jerry's <b>"data"</b>`;
const MARKUP_ESCAPED = 'Tom &amp; Jerry&#x27;s &lt;b&gt;&quot;data&quot;&lt;/b&gt;';
const link = (tab: string, row: number) => `file:///srv/bucp/tracker.xlsx#'${tab}'!A${row}`;

/** One digest line, shaped as planNotifications' DigestItem. */
function item(fields: Record<string, unknown>) {
  return {
    group: 'Stalled',
    level: 'stalled',
    bucpId: 'BUCP-2026-002',
    useCaseName: 'Medi-Cal enrollment and birth outcomes',
    stage: 'Provider Review',
    businessDaysInStage: 19,
    slaDays: 15,
    since: '2026-10-26',
    link: link('Proposals', 3),
    nextAction: 'CDPH legal review of the draft',
    nextActionDue: '2026-12-04',
    ...fields,
  };
}

interface Case {
  readonly template: TemplateName;
  readonly data: Readonly<Record<string, unknown>>;
  readonly subject: string;
  /** Text both the HTML and the plain-text part must hold. */
  readonly fields: readonly string[];
}

const cases: readonly Case[] = [
  {
    template: 'reminder-digest',
    data: {
      recipient: 'req@dhcs.example.gov',
      today: TODAY,
      count: 3,
      mostUrgent: 'Escalated',
      groups: [
        {
          name: 'Escalated',
          items: [
            item({
              group: 'Escalated',
              bucpId: 'BUCP-2026-001',
              useCaseName: MARKUP,
              stage: 'Drafting',
              businessDaysInStage: 36,
              since: '2026-10-01',
              link: link('Proposals', 2),
            }),
          ],
        },
        { name: 'Stalled', items: [item({})] },
        {
          name: 'Due Soon',
          items: [
            item({
              group: 'Due Soon',
              level: 'due-soon',
              bucpId: 'BUCP-2026-007',
              useCaseName: 'CalFresh and WIC overlap',
              stage: 'Internal Review',
              businessDaysInStage: 9,
              slaDays: 10,
              since: '2026-11-09',
              link: link('Proposals', 8),
              nextAction: null,
              nextActionDue: null,
            }),
          ],
        },
      ],
    },
    subject: 'BUCP reminder: 3 proposals need attention (Escalated)',
    fields: [
      TODAY,
      'Escalated (1)',
      'Stalled (1)',
      'Due Soon (1)',
      'BUCP-2026-001',
      'BUCP-2026-002',
      'BUCP-2026-007',
      'Medi-Cal enrollment and birth outcomes',
      'CalFresh and WIC overlap',
      'Drafting',
      'Provider Review',
      'Internal Review',
      '2026-10-01',
      '36',
      'CDPH legal review of the draft (due 2026-12-04)',
    ],
  },
  {
    template: 'next-action',
    data: {
      recipient: 'owner@dhcs.example.gov',
      today: TODAY,
      count: 2,
      mostUrgent: 'Next Action Overdue',
      groups: [
        {
          name: 'Next Action Overdue',
          items: [
            item({
              group: 'Next Action Overdue',
              level: 'next-action',
              bucpId: 'BUCP-2026-004',
              useCaseName: MARKUP,
              stage: 'Signatures',
              nextAction: 'Collect the CDPH signature',
              nextActionDue: '2026-11-18',
              link: link('Proposals', 5),
            }),
            item({
              group: 'Next Action Overdue',
              level: 'next-action',
              bucpId: 'BUCP-2026-009',
              useCaseName: 'Foster care placements and school records',
              stage: 'Concept',
              nextAction: null,
              nextActionDue: '2026-11-20',
              link: link('Proposals', 10),
            }),
          ],
        },
      ],
    },
    subject: 'BUCP next action overdue: 2 items',
    fields: [
      TODAY,
      'BUCP-2026-004',
      'BUCP-2026-009',
      'Collect the CDPH signature',
      '(not described)',
      '2026-11-18',
      '2026-11-20',
      'Signatures',
      'Concept',
      'Foster care placements and school records',
    ],
  },
  {
    template: 'escalation',
    data: {
      ...item({
        bucpId: 'BUCP-2026-001',
        useCaseName: MARKUP,
        stage: 'Drafting',
        businessDaysInStage: 36,
        since: '2026-10-01',
        link: link('Proposals', 2),
        nextAction: 'Send the draft to CDPH',
        nextActionDue: '2026-11-30',
      }),
      recipientRole: 'sponsor',
      noSponsor: false,
      requestingDepartment: 'DHCS',
      providingDepartment: 'CDPH',
      today: TODAY,
    },
    subject: 'Escalated: BUCP-2026-001 has been 36 business days in Drafting (SLA 15)',
    fields: [
      'as the sponsor of',
      'BUCP-2026-001',
      'DHCS requesting from CDPH',
      'Drafting since 2026-10-01',
      '36 (SLA 15)',
      'Send the draft to CDPH (due 2026-11-30)',
    ],
  },
  {
    template: 'dispute-escalation',
    data: {
      disputeId: 'DSP-2026-004',
      bucpId: 'BUCP-2026-003',
      useCaseName: MARKUP,
      category: 'De-identification Method',
      level: 'Data Coordinators',
      nextLevel: 'Risk Management Subcommittee',
      since: '2026-11-02',
      businessDaysAtLevel: 14,
      limit: 10,
      raisedOn: '2026-10-20',
      link: link('Disputes', 4),
      today: TODAY,
    },
    subject: 'Dispute DSP-2026-004 on BUCP-2026-003 goes to the Risk Management Subcommittee',
    fields: [
      'DSP-2026-004',
      'BUCP-2026-003',
      'De-identification Method',
      'Data Coordinators',
      'Risk Management Subcommittee',
      'for 14 business days',
      'more than the 10',
      '2026-10-20',
      '2026-11-02',
    ],
  },
];

let templates: MailTemplates;
beforeAll(async () => {
  templates = await MailTemplates.load();
});

describe.each(cases)('the $template template', ({ template, data, subject, fields }) => {
  test('renders a one-line subject, an HTML part and a text part with the key fields', () => {
    const rendered = templates.render({ template, data });

    expect(rendered.subject).toBe(subject);
    expect(rendered.subject).not.toMatch(/[\r\n]/);
    expect(rendered.html.trim()).not.toBe('');
    expect(rendered.text.trim()).not.toBe('');
    expect(rendered.html).toMatch(/^<!doctype html>/i);
    expect(rendered.text).not.toMatch(/<(p|table|a|td|html)\b/i);
    for (const field of fields) {
      expect(rendered.html).toContain(field);
      expect(rendered.text).toContain(field);
    }
    for (const part of [rendered.subject, rendered.html, rendered.text]) {
      expect(part).not.toContain('undefined');
      expect(part).not.toContain('[object Object]');
    }
  });

  test('links every row from both parts', () => {
    const rendered = templates.render({ template, data });
    const links = JSON.stringify(data).match(/file:\/\/\/[^"]+/g) ?? [];

    expect(links.length).toBeGreaterThan(0);
    for (const url of links) {
      // In an attribute the quote is an entity; a browser reads it back as the same URL.
      expect(rendered.html).toContain(`href="${url.replaceAll("'", '&#x27;')}"`);
      expect(rendered.text).toContain(url);
    }
  });

  test('escapes values in the HTML part only', () => {
    const rendered = templates.render({ template, data });

    expect(rendered.html).toContain(MARKUP_ESCAPED);
    expect(rendered.html).not.toContain(MARKUP);
    expect(rendered.html).not.toContain('<b>');
    expect(rendered.text).toContain(MARKUP);
    expect(rendered.text).not.toContain('&amp;');
    expect(rendered.text).not.toContain('&lt;');
    expect(rendered.text).not.toContain('&#x27;');
  });
});

test.each([
  {
    template: 'escalation',
    data: {
      ...item({ bucpId: 'BUCP <1> & "2"', stage: 'Drafting', businessDaysInStage: 36 }),
      recipientRole: 'sponsor',
      noSponsor: false,
      requestingDepartment: 'DHCS',
      providingDepartment: 'CDPH',
      today: TODAY,
    },
    subject: 'Escalated: BUCP <1> & "2" has been 36 business days in Drafting (SLA 15)',
  },
  {
    template: 'dispute-escalation',
    data: { ...cases[3]!.data, disputeId: `DSP <4> & 'x'` },
    subject: `Dispute DSP <4> & 'x' on BUCP-2026-003 goes to the Risk Management Subcommittee`,
  },
] as const)('the $template subject is a header, not HTML: values stay verbatim', ({ template, data, subject }) => {
  expect(templates.render({ template, data }).subject).toBe(subject);
});

test('a newline in a value never reaches the subject', () => {
  const data = { ...cases[3]!.data, disputeId: 'DSP-1\r\nBcc: attacker@evil.example' };

  const rendered = templates.render({ template: 'dispute-escalation', data });

  expect(rendered.subject).toBe(
    'Dispute DSP-1 Bcc: attacker@evil.example on BUCP-2026-003 goes to the Risk Management Subcommittee',
  );
});

test('one proposal reads in the singular', () => {
  const digest = cases[0]!.data;
  const groups = [{ name: 'Due Soon', items: [item({ group: 'Due Soon', level: 'due-soon' })] }];

  const rendered = templates.render({
    template: 'reminder-digest',
    data: { ...digest, groups, count: 1, mostUrgent: 'Due Soon' },
  });

  expect(rendered.subject).toBe('BUCP reminder: 1 proposal needs attention (Due Soon)');
  expect(templates.render({ template: 'next-action', data: { ...cases[1]!.data, count: 1 } }).subject).toBe(
    'BUCP next action overdue: 1 item',
  );
});

test('an escalation with no sponsor says it went to the governance liaison', () => {
  const rendered = templates.render({
    template: 'escalation',
    data: { ...cases[2]!.data, recipientRole: 'governance liaison', noSponsor: true },
  });

  for (const part of [rendered.html, rendered.text]) {
    expect(part).toContain('as the governance liaison of');
    expect(part).toContain('has no sponsor on record');
  }
});

test('an unknown template is an error', () => {
  expect(() => templates.render({ template: 'nope' as TemplateName, data: {} })).toThrow(/nope/);
});

test('a template that does not compile fails at load, naming its file', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'bucp-templates-'));
  await cp(DEFAULT_TEMPLATES_DIR, dir, { recursive: true });
  await writeFile(path.join(dir, 'escalation.html.hbs'), '<p>{{#if stage}}unclosed</p>');
  await expect(MailTemplates.load(dir)).rejects.toThrow(/escalation\.html\.hbs does not compile/);
  // The same copy with the file repaired loads.
  await cp(path.join(DEFAULT_TEMPLATES_DIR, 'escalation.html.hbs'), path.join(dir, 'escalation.html.hbs'));
  await expect(MailTemplates.load(dir)).resolves.toBeInstanceOf(MailTemplates);
});
