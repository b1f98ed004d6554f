import { NodeOperationError } from 'n8n-workflow';
import { webhookUrlProblem } from '../../../../chat/webhook-url.ts';
import type { ChatSendRecord } from '../../../../core/chat-record.ts';
import { type ChatHandoffPost, runCycle } from '../../../../jobs/run-cycle.job.ts';
import {
  type BucpContext,
  type Tracker,
  clock,
  executeSource,
  holderFor,
  openTracker,
  plain,
  underLease,
} from '../../../transport/index.ts';
import { type Operation, claimMinutesProperty } from './common.ts';

/**
 * One item per chat post due now (escalations, dispute escalations, the weekly digest, the daily
 * board) on the channels of the rules' `chat` section, each with its ready JSON body and claimed like
 * Plan Reminders. Feed them to an HTTP Request node that posts `body` to the URL in the environment
 * variable `webhookUrlEnv`, then to Record Sent.
 */
export const planChatPosts: Operation = {
  name: 'Plan Chat Posts',
  value: 'planChatPosts',
  action: 'Plan team chat posts',
  summary: 'One item per Teams or Google Chat post, with its ready body, for HTTP Request',
  description: [claimMinutesProperty('planChatPosts')],
  async execute() {
    const claimMinutes = this.getNodeParameter('claimMinutes', 0, 30) as number;
    const tracker = await openTracker(executeSource(this));
    checkWebhooks(this, tracker);
    const report = await underLease(tracker, holderFor(this), (leased) =>
      runCycle(
        { ...leased, mailer: NO_MAILER },
        {
          now: clock(tracker.logger),
          parts: new Set(['reminders', 'dispute-escalation', 'manager-digest']),
          handoff: { claimMinutes },
          only: 'chat',
        },
      ),
    );
    const envOf = new Map(tracker.config.chat.map((c) => [c.name, c.webhookUrlEnv]));
    return report.chatHandoff.map((post) => ({
      json: plain(chatItem(post, envOf.get(post.channel)!)),
      pairedItem: { item: 0 },
    }));
  },
};

const NO_MAILER = {
  kind: 'n8n',
  send: () => Promise.reject(new Error('Plan Chat Posts sends no mail')),
  close: () => Promise.resolve(),
  describe: () => 'none',
};

/**
 * Each channel's URL, from the environment of the n8n process that posts it, on a host of its service
 * or one the rules allow, before anything is claimed: a typo does not send tracker data elsewhere.
 * Messages name the variable, never the URL.
 */
function checkWebhooks(context: BucpContext, tracker: Tracker): void {
  tracker.config.chat.forEach((channel, i) => {
    const url = process.env[channel.webhookUrlEnv];
    const problem = url
      ? webhookUrlProblem(url, channel.kind, channel.allowHosts)
      : `is not set in the environment of n8n; it must hold the webhook URL of channel ${channel.name}`;
    if (problem) {
      throw new NodeOperationError(context.getNode(), `chat.${i}.webhookUrlEnv: ${channel.webhookUrlEnv} ${problem}`);
    }
  });
}

function chatItem(post: ChatHandoffPost, webhookUrlEnv: string) {
  const record: ChatSendRecord = {
    idempotencyKey: post.idempotencyKey,
    kind: post.kind,
    channel: post.channel,
    bucpIds: post.bucpIds,
    disputeId: post.disputeId,
    title: post.title,
    on: post.on,
  };
  return {
    idempotencyKey: post.idempotencyKey,
    kind: post.kind,
    channel: post.channel,
    service: post.service,
    webhookUrlEnv,
    title: post.title,
    bucpIds: post.bucpIds,
    disputeId: post.disputeId,
    body: post.body,
    record,
  };
}
