import { afterEach, expect, test } from 'vitest';
import {
  GOOGLE_CHAT_MAX_BYTES,
  TEAMS_MAX_BYTES,
  byteSize,
  googleChatMessage,
  teamsMessage,
} from '../../src/core/chat-cards.ts';
import { type ChatRig, GoogleChatMessageSchema, chatRig, teamsMessageProblems } from '../support/chat-run.ts';
import { enteredDaysAgo, proposal } from '../support/workspace.ts';

let rig: ChatRig | undefined;
afterEach(async () => {
  await rig?.stop();
});

const LONG = 'Cross-department *eligibility* [match] for _Medi-Cal_ & CalFresh <outreach> '.repeat(6);

test('with 500 overdue proposals the board and the digest list the ten most overdue, then "and 490 more" with a link to the tracker', async () => {
  rig = await chatRig();
  await rig.addProposals(
    Array.from({ length: 500 }, (_, i) =>
      proposal(`B-${String(i + 1).padStart(3, '0')}`, {
        'Use Case Name': `${LONG} ${i}`,
        Stage: 'Drafting',
        // Stalled: past the SLA of 15, not yet twice it, so no escalation posts.
        'Stage Entered On': enteredDaysAgo('2026-11-23', 16 + (i % 14)),
      }),
    ),
  );
  const report = await rig.run('2026-11-23T08:00');
  expect(report.chat.map((p) => `${p.channel} ${p.kind} ${p.status}`).sort()).toEqual([
    'agency-space daily-board sent',
    'agency-space manager-digest sent',
    'data-sharing-team daily-board sent',
    'data-sharing-team manager-digest sent',
  ]);
  for (const post of rig.teams.posts) {
    expect(Buffer.byteLength(post.text)).toBeLessThan(28 * 1024);
    expect(teamsMessageProblems(post.body)).toEqual([]);
    expect(post.text).toContain('and 490 more');
    expect(post.text).toContain('"title":"Open the tracker"');
    expect(post.text.match(/"title":"Open row"/g)).toHaveLength(10);
  }
  for (const post of rig.google.posts) {
    expect(Buffer.byteLength(post.text)).toBeLessThan(32_000);
    expect(GoogleChatMessageSchema.safeParse(post.body).success).toBe(true);
    expect(post.text).toContain('and 490 more');
    expect(post.text).toContain('"text":"Open the tracker"');
    expect(post.text.match(/"text":"Open row"/g)).toHaveLength(10);
  }
});

test('a list too long for one post is cut to fit, and the rest counted', () => {
  const items = Array.from({ length: 500 }, (_, i) => ({
    title: `B-${i} ${LONG}`,
    detail: LONG,
    link: `https://docs.google.com/spreadsheets/d/abc/edit#gid=0&range=A${i + 2}`,
  }));
  const card = {
    title: 'All of them',
    subtitle: '500 proposals',
    facts: [],
    listTitle: 'Everything',
    items,
    more: 0,
    moreLink: 'https://docs.google.com/spreadsheets/d/abc/edit',
    links: [],
  };
  const teams = teamsMessage(card);
  const google = googleChatMessage(card);
  expect(byteSize(teams)).toBeLessThanOrEqual(TEAMS_MAX_BYTES);
  expect(byteSize(google)).toBeLessThanOrEqual(GOOGLE_CHAT_MAX_BYTES);
  const shownTeams = (JSON.stringify(teams).match(/"title":"Open row"/g) ?? []).length;
  const shownGoogle = (JSON.stringify(google).match(/"text":"Open row"/g) ?? []).length;
  expect(shownTeams).toBeGreaterThan(10);
  expect(JSON.stringify(teams)).toContain(`and ${500 - shownTeams} more`);
  expect(JSON.stringify(google)).toContain(`and ${500 - shownGoogle} more`);
  expect(teamsMessageProblems(teams)).toEqual([]);
});
