import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { escapeTeamsMarkdown, googleChatMessage, teamsMessage } from '../../src/core/chat-cards.ts';
import { seedSampleTracker } from '../../src/jobs/demo.job.ts';
import {
  ALL_CHAT_KINDS,
  type ChatRig,
  GoogleChatMessageSchema,
  TRACKER_URL,
  chatRig,
  teamsMessageProblems,
} from '../support/chat-run.ts';
import { localTime } from '../support/workspace.ts';

/** Every card the service makes for the sample tracker on a Monday: each kind, for both services. */
describe('chat cards of the sample tracker', () => {
  let rig: ChatRig;
  beforeAll(async () => {
    rig = await chatRig();
    await seedSampleTracker(rig.config, localTime('2026-11-23T08:00'));
    const report = await rig.run('2026-11-23T08:00');
    expect(new Set(report.chat.map((p) => p.kind))).toEqual(new Set(ALL_CHAT_KINDS));
    expect(report.chat.every((p) => p.sent)).toBe(true);
  });
  afterAll(async () => {
    await rig.stop();
  });

  test('every Teams card parses with adaptivecards for 1.4, with no errors or warnings and only allowed types', () => {
    expect(rig.teams.posts.length).toBeGreaterThan(4);
    for (const post of rig.teams.posts) expect(teamsMessageProblems(post.body), post.text.slice(0, 200)).toEqual([]);
  });

  test('every Google Chat message has the documented structure', () => {
    expect(rig.google.posts.length).toBe(rig.teams.posts.length);
    for (const post of rig.google.posts) {
      const parsed = GoogleChatMessageSchema.safeParse(post.body);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    }
  });

  test('the checks can fail: a submit action, version 1.5 and an unknown Google widget are caught', () => {
    const teams = JSON.parse(rig.teams.posts[0]!.text) as { attachments: { content: Record<string, unknown> }[] };
    const content = teams.attachments[0]!.content;
    expect(
      teamsMessageProblems({
        ...teams,
        attachments: [{ ...teams.attachments[0], content: { ...content, version: '1.5' } }],
      }),
    ).not.toEqual([]);
    const withSubmit = { ...content, actions: [{ type: 'Action.Submit', title: 'Approve' }] };
    expect(
      teamsMessageProblems({ ...teams, attachments: [{ ...teams.attachments[0], content: withSubmit }] }),
    ).toContain('type Action.Submit');
    const withImage = { ...content, body: [{ type: 'Image', url: 'https://example.gov/x.png' }] };
    expect(
      teamsMessageProblems({ ...teams, attachments: [{ ...teams.attachments[0], content: withImage }] }),
    ).toContain('type Image');
    const google = rig.google.posts[0]!.body as { cardsV2: { card: { sections: unknown[] } }[] };
    const bad = {
      ...google,
      cardsV2: [
        { ...google.cardsV2[0], card: { ...google.cardsV2[0]!.card, sections: [{ widgets: [{ image: {} }] }] } },
      ],
    };
    expect(GoogleChatMessageSchema.safeParse(bad).success).toBe(false);
  });
});

test("a local workbook's file links never reach a chat: buttons open trackerUrl, or are left out", async () => {
  const rig = await chatRig({});
  try {
    await seedSampleTracker(rig.config, localTime('2026-11-23T08:00'));
    await rig.run('2026-11-23T08:00');
    const bodies = [...rig.teams.posts, ...rig.google.posts].map((p) => p.text);
    expect(bodies.join('\n')).not.toContain('file:');
    expect(bodies.join('\n')).toContain(TRACKER_URL);
  } finally {
    await rig.stop();
  }
  const bare = await chatRig({
    chat: [
      {
        name: 'team',
        kind: 'teams',
        webhookUrlEnv: 'BUCP_TEAMS_WEBHOOK_URL',
        send: ['daily-board'],
        allowHosts: ['127.0.0.1'],
      },
    ],
  });
  try {
    await seedSampleTracker(bare.config, localTime('2026-11-23T08:00'));
    await bare.run('2026-11-23T08:00');
    expect(bare.teams.posts).toHaveLength(1);
    expect(bare.teams.posts[0]!.text).not.toContain('file:');
    expect(bare.teams.posts[0]!.text).not.toContain('Action.OpenUrl');
    expect(teamsMessageProblems(bare.teams.posts[0]!.body)).toEqual([]);
  } finally {
    await bare.stop();
  }
});

describe('staff text in cards', () => {
  test.each([
    ['**bold** and _it_', '\\*\\*bold\\*\\* and \\_it\\_'],
    ['[click](https://evil.example)', '\\[click\\]\\(https://evil.example\\)'],
    ['- not a list', '\\- not a list'],
    ['1. not a list', '\\1. not a list'],
    ['# not a heading', '\\# not a heading'],
    ['line\n\n- two', 'line - two'],
    ['{{DATE(2026-11-23T00:00:00Z)}}', '{\u200b{DATE\\(2026-11-23T00:00:00Z\\)}}'],
  ])('escapes %j for a TextBlock', (text, escaped) => {
    expect(escapeTeamsMarkdown(text)).toBe(escaped);
  });

  test('a card of hostile staff text still parses cleanly on both services', () => {
    const nasty = '<users/all> **x** [a](b) & "q" \\ {{DATE(x)}} ' + 'é'.repeat(500);
    const card = {
      title: nasty,
      subtitle: nasty,
      facts: [{ label: nasty, value: nasty }],
      listTitle: 'Most overdue',
      items: [{ title: nasty, detail: nasty, link: 'https://docs.google.com/spreadsheets/d/x/edit#gid=0&range=A2' }],
      more: 3,
      moreLink: 'https://docs.google.com/spreadsheets/d/x/edit',
      links: [],
    };
    expect(teamsMessageProblems(teamsMessage(card))).toEqual([]);
    const google = googleChatMessage(card);
    expect(GoogleChatMessageSchema.safeParse(google).success).toBe(true);
    expect(JSON.stringify(google)).not.toContain('<users/all>');
  });
});
