import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type AddressObject, simpleParser } from 'mailparser';
import { afterEach, beforeEach, expect, test } from 'vitest';
import type { OutgoingMessage } from '../../src/core/ports.ts';
import { messageIdFor } from '../../src/mail/message-id.ts';
import { type OutboxEntry, OutboxMailer } from '../../src/mail/outbox-mailer.ts';

const FROM = 'BUCP Tracker <bucp@chhs.example.gov>';

let dir: string;
const mailers: OutboxMailer[] = [];

beforeEach(async () => {
  dir = path.join(await mkdtemp(path.join(os.tmpdir(), 'bucp-outbox-')), 'outbox');
});

afterEach(async () => {
  for (const mailer of mailers.splice(0)) await mailer.close();
  await rm(path.dirname(dir), { recursive: true, force: true });
});

function outbox(): OutboxMailer {
  const mailer = new OutboxMailer({ dir, from: FROM });
  mailers.push(mailer);
  return mailer;
}

function message(key: string, fields: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    key,
    kind: 'escalation',
    to: ['sponsor@dhcs.example.gov'],
    cc: ['req@dhcs.example.gov', 'prov@cdph.example.gov'],
    subject: 'Escalated: BUCP-1 has been 36 business days in Drafting (SLA 15)',
    html: '<p>Hello,</p><p><a href="file:///srv/tracker.xlsx#A2">BUCP-1</a>: Tom &amp; Jerry</p>',
    text: 'Hello,\n\nBUCP: BUCP-1\nUse case: Tom & Jerry\n',
    ...fields,
  };
}

async function emlFiles(): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.endsWith('.eml')).sort();
}

async function indexLines(): Promise<string[]> {
  return (await readFile(path.join(dir, 'index.jsonl'), 'utf8')).split('\n').filter((l) => l !== '');
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (!field) return [];
  return (Array.isArray(field) ? field : [field]).flatMap((f) => f.value.map((v) => v.address ?? ''));
}

test('a message becomes a parseable .eml file and one index line', async () => {
  const mailer = outbox();
  const sent = message('escalation:BUCP-1:v1');

  const outcome = await mailer.send(sent);

  const messageId = messageIdFor(sent.key, FROM);
  expect(outcome).toEqual({ status: 'sent', messageId });
  const files = await emlFiles();
  expect(files).toHaveLength(1);
  const mail = await simpleParser(await readFile(path.join(dir, files[0]!)));
  expect(mail.messageId).toBe(messageId);
  expect(mail.from?.value).toEqual([{ address: 'bucp@chhs.example.gov', name: 'BUCP Tracker' }]);
  expect(addresses(mail.to)).toEqual(['sponsor@dhcs.example.gov']);
  expect(addresses(mail.cc)).toEqual(['req@dhcs.example.gov', 'prov@cdph.example.gov']);
  expect(mail.subject).toBe(sent.subject);
  expect(mail.headers.get('x-bucp-idempotency-key')).toBe(sent.key);
  expect(mail.headers.get('x-bucp-kind')).toBe('escalation');
  expect(mail.html).toEqual(expect.any(String));
  expect(mail.html).toContain('Tom &amp; Jerry');
  expect(mail.html).toContain('<a href="file:///srv/tracker.xlsx#A2">BUCP-1</a>');
  expect(mail.text).toEqual(expect.any(String));
  expect(mail.text).toContain('Use case: Tom & Jerry');

  const lines = await indexLines();
  expect(lines).toHaveLength(1);
  const entry = JSON.parse(lines[0]!) as OutboxEntry;
  expect(entry).toEqual({
    messageId,
    at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    kind: 'escalation',
    key: sent.key,
    to: ['sponsor@dhcs.example.gov'],
    cc: ['req@dhcs.example.gov', 'prov@cdph.example.gov'],
    subject: sent.subject,
    file: files[0],
  });
  expect(await mailer.entries()).toEqual([entry]);
});

test('the same key sent twice is written once, and the second send says it was a duplicate', async () => {
  const mailer = outbox();
  const messageId = messageIdFor('digest:req@dhcs.example.gov:2026-11-23', FROM);

  const first = await mailer.send(message('digest:req@dhcs.example.gov:2026-11-23', { kind: 'reminder' }));
  const second = await mailer.send(
    message('digest:req@dhcs.example.gov:2026-11-23', { kind: 'reminder', subject: 'A different subject' }),
  );

  expect(first).toEqual({ status: 'sent', messageId });
  expect(second).toEqual({ status: 'sent', messageId, duplicate: true });
  expect(await emlFiles()).toHaveLength(1);
  expect(await indexLines()).toHaveLength(1);
});

test('different keys are written side by side', async () => {
  const mailer = outbox();

  await mailer.send(message('digest:req@dhcs.example.gov:2026-11-23'));
  await mailer.send(message('digest:prov@cdph.example.gov:2026-11-23'));

  expect(await emlFiles()).toHaveLength(2);
  expect((await mailer.entries()).map((e) => e.key)).toEqual([
    'digest:req@dhcs.example.gov:2026-11-23',
    'digest:prov@cdph.example.gov:2026-11-23',
  ]);
});

test('a fresh OutboxMailer on the same folder dedupes too: the index is the record', async () => {
  const key = 'escalation:BUCP-1:v1';
  await outbox().send(message(key));

  const outcome = await outbox().send(message(key));

  expect(outcome).toEqual({ status: 'sent', messageId: messageIdFor(key, FROM), duplicate: true });
  expect(await emlFiles()).toHaveLength(1);
  expect(await indexLines()).toHaveLength(1);
});

test('a torn last line in index.jsonl is ignored', async () => {
  const key = 'escalation:BUCP-1:v1';
  await outbox().send(message(key));
  // A crash part-way through appending the next entry.
  await appendFile(path.join(dir, 'index.jsonl'), '{"messageId":"<0123456789ab');

  const fresh = outbox();
  const entries = await fresh.entries();
  expect(entries.map((e) => e.key)).toEqual([key]);
  expect(await fresh.send(message(key))).toEqual({
    status: 'sent',
    messageId: messageIdFor(key, FROM),
    duplicate: true,
  });
  expect(await emlFiles()).toHaveLength(1);
});

test('a message sent after a torn last line is still on record for the next instance', async () => {
  await outbox().send(message('escalation:BUCP-1:v1'));
  await appendFile(path.join(dir, 'index.jsonl'), '{"messageId":"<0123456789ab');

  const after = 'digest:req@dhcs.example.gov:2026-11-23';
  expect(await outbox().send(message(after))).toEqual({ status: 'sent', messageId: messageIdFor(after, FROM) });

  const next = outbox();
  expect((await next.entries()).map((e) => e.key)).toEqual(['escalation:BUCP-1:v1', after]);
  expect(await next.send(message(after))).toEqual({
    status: 'sent',
    messageId: messageIdFor(after, FROM),
    duplicate: true,
  });
  expect(await emlFiles()).toHaveLength(2);
});

test('a torn line alone, with no message yet, is no record of anything', async () => {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'index.jsonl'), '{"messageId":"<0123');
  const mailer = outbox();

  expect(await mailer.entries()).toEqual([]);
  const outcome = await mailer.send(message('escalation:BUCP-1:v1'));

  expect(outcome).toEqual({ status: 'sent', messageId: messageIdFor('escalation:BUCP-1:v1', FROM) });
  expect(await emlFiles()).toHaveLength(1);
});

test('a missing folder is created on the first send, and an empty outbox has no entries', async () => {
  const mailer = outbox();
  expect(await mailer.entries()).toEqual([]);

  await mailer.send(message('escalation:BUCP-1:v1'));

  expect(await emlFiles()).toHaveLength(1);
});
