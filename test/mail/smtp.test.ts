import net, { type AddressInfo } from 'node:net';
import { type AddressObject, type ParsedMail, simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { OutgoingMessage } from '../../src/core/ports.ts';
import { messageIdFor } from '../../src/mail/message-id.ts';
import { MailTemplates } from '../../src/mail/render.ts';
import { SmtpMailer } from '../../src/mail/smtp-mailer.ts';
import { listenSmtp } from '../support/smtp-server.ts';
import { d, makeWorkspace, proposal } from '../support/workspace.ts';

const FROM = 'BUCP Tracker <bucp@chhs.example.gov>';
const FROM_ADDRESS = 'bucp@chhs.example.gov';
const REQ = 'req@dhcs.example.gov';
const PROV = 'prov@cdph.example.gov';
const SPONSOR = 'sponsor@dhcs.example.gov';
const TODAY = '2026-11-23';

/** One message as the SMTP server took it: the envelope and the raw DATA, parsed on demand. */
interface Received {
  readonly mailFrom: string;
  readonly rcptTo: readonly string[];
  readonly raw: string;
  readonly mail: ParsedMail;
}

interface TestServer {
  readonly port: number;
  /** How many messages the server has accepted so far. */
  count(): number;
  received(): Promise<Received[]>;
  close(): Promise<void>;
}

interface Rejection {
  readonly at: 'RCPT' | 'DATA';
  readonly code: number;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

const servers: TestServer[] = [];
const mailers: SmtpMailer[] = [];

/** A real SMTP server on 127.0.0.1 at an ephemeral port, keeping every message it accepts. */
async function startServer(behaviour: { reject?: Rejection; hangAfterData?: boolean } = {}): Promise<TestServer> {
  const { reject, hangAfterData } = behaviour;
  const accepted: { mailFrom: string; rcptTo: string[]; raw: Buffer }[] = [];
  const server = await listenSmtp({
    closeTimeout: 1_000,
    onRcptTo(_address, _session, callback) {
      if (reject?.at === 'RCPT') return callback(smtpError(reject.code, `Recipient refused (${reject.code})`));
      return callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (reject?.at === 'DATA') return callback(smtpError(reject.code, `Message refused (${reject.code})`));
        accepted.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((a) => a.address),
          raw: Buffer.concat(chunks),
        });
        // The whole message arrived, but the reply to the end of DATA never comes.
        if (hangAfterData) return;
        return callback();
      });
    },
  });
  const handle: TestServer = {
    port: server.port,
    count: () => accepted.length,
    received: () =>
      Promise.all(
        accepted.map(async (m) => ({
          mailFrom: m.mailFrom,
          rcptTo: m.rcptTo,
          raw: m.raw.toString('utf8'),
          mail: await simpleParser(m.raw),
        })),
      ),
    close: server.close,
  };
  servers.push(handle);
  return handle;
}

function mailerFor(server: { port: number }, timeoutMs = 5_000): SmtpMailer {
  const mailer = new SmtpMailer({ host: '127.0.0.1', port: server.port, secure: false, from: FROM, timeoutMs });
  mailers.push(mailer);
  return mailer;
}

async function closeAll(): Promise<void> {
  // Mailers first: a pooled connection left open would hold the server's close up.
  for (const mailer of mailers.splice(0)) await mailer.close();
  for (const server of servers.splice(0)) await server.close();
}

afterEach(closeAll);
afterAll(closeAll);

/** Every address in a To or Cc header, in order. */
function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (!field) return [];
  return (Array.isArray(field) ? field : [field]).flatMap((f) => f.value.map((v) => v.address ?? ''));
}

function header(mail: ParsedMail, name: string): string | undefined {
  const value = mail.headers.get(name.toLowerCase());
  return value === undefined ? undefined : String(value);
}

function htmlOf(mail: ParsedMail): string {
  expect(typeof mail.html).toBe('string');
  return mail.html as string;
}

function textOf(mail: ParsedMail): string {
  expect(mail.text).toEqual(expect.any(String));
  return mail.text ?? '';
}

/** The message's own header lines, up to the first blank line. */
function headerBlock(raw: string): string {
  return raw.split(/\r?\n\r?\n/)[0]!;
}

/** The MIME content types in a raw message, lower-cased. */
function contentTypes(raw: string): string[] {
  return [...raw.matchAll(/^content-type:\s*([^;\s]+)/gim)].map((m) => m[1]!.toLowerCase());
}

let templates: MailTemplates;
beforeAll(async () => {
  templates = await MailTemplates.load();
});

const LINK = (row: number) => `file:///srv/bucp/tracker.xlsx#'Proposals'!A${row}`;

/** A digest's data, shaped as planNotifications builds it. */
function digestData() {
  const groups = [
    {
      name: 'Escalated',
      items: [
        {
          group: 'Escalated',
          level: 'stalled',
          bucpId: 'BUCP-2026-001',
          useCaseName: 'Medi-Cal enrollment and birth outcomes',
          stage: 'Drafting',
          businessDaysInStage: 36,
          slaDays: 15,
          since: '2026-10-01',
          link: LINK(2),
          nextAction: 'Send draft to CDPH',
          nextActionDue: '2026-11-30',
        },
      ],
    },
    {
      name: 'Due Soon',
      items: [
        {
          group: 'Due Soon',
          level: 'due-soon',
          bucpId: 'BUCP-2026-007',
          useCaseName: 'CalFresh and WIC overlap',
          stage: 'Internal Review',
          businessDaysInStage: 9,
          slaDays: 10,
          since: '2026-11-09',
          link: LINK(8),
          nextAction: null,
          nextActionDue: null,
        },
      ],
    },
  ];
  return { recipient: REQ, today: TODAY, groups, count: 2, mostUrgent: 'Escalated' };
}

describe('SmtpMailer against a real SMTP server', () => {
  test('a rendered reminder digest arrives with its headers, an HTML part and a text part', async () => {
    const server = await startServer();
    const mailer = mailerFor(server);
    const rendered = templates.render({ template: 'reminder-digest', data: digestData() });
    const key = `digest:${REQ}:${TODAY}`;
    const message: OutgoingMessage = { key, kind: 'reminder', to: [REQ], cc: [PROV], ...rendered };

    const outcome = await mailer.send(message);

    expect(outcome).toEqual({ status: 'sent', messageId: messageIdFor(key, FROM) });
    const received = await server.received();
    expect(received).toHaveLength(1);
    const [{ mailFrom, rcptTo, raw, mail }] = received as [Received];
    expect(mailFrom).toBe(FROM_ADDRESS);
    expect([...rcptTo].sort()).toEqual([PROV, REQ]);
    expect(mail.from?.value).toEqual([{ address: FROM_ADDRESS, name: 'BUCP Tracker' }]);
    expect(addresses(mail.to)).toEqual([REQ]);
    expect(addresses(mail.cc)).toEqual([PROV]);
    expect(mail.subject).toBe(rendered.subject);
    expect(mail.subject).toBe('BUCP reminder: 2 proposals need attention (Escalated)');
    expect(mail.messageId).toBe(messageIdFor(key, FROM));
    expect(mail.messageId).toMatch(/^<[0-9a-f]{32}@chhs\.example\.gov>$/);
    expect(header(mail, 'X-BUCP-Idempotency-Key')).toBe(key);
    expect(header(mail, 'X-BUCP-Kind')).toBe('reminder');
    expect(contentTypes(raw)).toEqual(expect.arrayContaining(['multipart/alternative', 'text/plain', 'text/html']));
    const html = htmlOf(mail);
    const text = textOf(mail);
    for (const id of ['BUCP-2026-001', 'BUCP-2026-007']) {
      expect(html).toContain(id);
      expect(text).toContain(id);
    }
    expect(html).toContain('<a href="file:///srv/bucp/tracker.xlsx');
    expect(text).toContain(`Row: ${LINK(2)}`);
    expect(text).not.toContain('<table');
  });

  test('a full cycle sends one digest per coordinator and the escalation, and a second run sends nothing', async () => {
    const server = await startServer();
    const mailer = mailerFor(server);
    const ws = await makeWorkspace();
    await ws.addProposals([
      // Drafting (SLA 15, requesting coordinator) since October: more than twice its SLA.
      proposal('BUCP-1', { Stage: 'Drafting', 'Stage Entered On': d('2026-10-01') }),
      // Provider Review (SLA 15, providing coordinator) for about 20 business days: stalled.
      proposal('BUCP-2', { Stage: 'Provider Review', 'Stage Entered On': d('2026-10-26') }),
      // Internal Review (SLA 10, requesting coordinator) for 9 business days: due soon.
      proposal('BUCP-3', { Stage: 'Internal Review', 'Stage Entered On': d('2026-11-10') }),
    ]);

    const report = await ws.run(`${TODAY}T08:00`, { mailer });

    expect(report.businessDay).toBe(true);
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => [f.bucpId, f.status])).toEqual([
      ['BUCP-1', 'Escalated'],
      ['BUCP-2', 'Stalled'],
      ['BUCP-3', 'Due Soon'],
    ]);
    expect(report.notifications.map((n) => n.status)).toEqual(['sent', 'sent', 'sent']);

    const received = await server.received();
    expect(received).toHaveLength(3);
    const byKind = (kind: string) => received.filter((r) => header(r.mail, 'X-BUCP-Kind') === kind);

    const digests = byKind('reminder');
    expect(digests.map((r) => addresses(r.mail.to)).sort()).toEqual([[PROV], [REQ]]);
    for (const digest of digests) {
      expect(addresses(digest.mail.cc)).toEqual([]);
      expect(digest.mail.from?.value[0]?.address).toBe(FROM_ADDRESS);
      const key = header(digest.mail, 'X-BUCP-Idempotency-Key');
      expect(key).toBe(`digest:${addresses(digest.mail.to)[0]}:${TODAY}`);
      expect(digest.mail.messageId).toBe(messageIdFor(key!, FROM));
    }
    const reqDigest = digests.find((r) => addresses(r.mail.to)[0] === REQ)!;
    const provDigest = digests.find((r) => addresses(r.mail.to)[0] === PROV)!;
    expect(reqDigest.mail.subject).toBe('BUCP reminder: 2 proposals need attention (Escalated)');
    expect(provDigest.mail.subject).toBe('BUCP reminder: 1 proposal needs attention (Stalled)');
    for (const [digest, ids, others] of [
      [reqDigest, ['BUCP-1', 'BUCP-3'], ['BUCP-2']],
      [provDigest, ['BUCP-2'], ['BUCP-1', 'BUCP-3']],
    ] as const) {
      const html = htmlOf(digest.mail);
      const text = textOf(digest.mail);
      for (const id of ids) {
        expect(html).toContain(`>${id}</a>`);
        expect(text).toContain(`- ${id}: Use case ${id}`);
      }
      for (const id of others) {
        expect(html).not.toContain(`>${id}<`);
        expect(text).not.toContain(`- ${id}:`);
      }
      expect(html).toMatch(/<a href="file:\/\/[^"]*tracker\.xlsx#[^"]*Proposals[^"]*!A\d+">/);
      expect(text).toMatch(/Row: file:\/\/\S*tracker\.xlsx#'Proposals'!A\d+/);
    }

    const escalations = byKind('escalation');
    expect(escalations).toHaveLength(1);
    const escalation = escalations[0]!;
    expect(escalation.rcptTo.toSorted()).toEqual([PROV, REQ, SPONSOR].sort());
    expect(addresses(escalation.mail.to)).toEqual([SPONSOR]);
    expect(addresses(escalation.mail.cc).sort()).toEqual([PROV, REQ]);
    expect(escalation.mail.subject).toMatch(/^Escalated: BUCP-1 has been \d+ business days in Drafting \(SLA 15\)$/);
    const key = header(escalation.mail, 'X-BUCP-Idempotency-Key')!;
    expect(key).toMatch(/^escalation:BUCP-1:/);
    expect(escalation.mail.messageId).toBe(messageIdFor(key, FROM));
    const html = htmlOf(escalation.mail);
    const text = textOf(escalation.mail);
    expect(html).toContain('>BUCP-1</a>');
    expect(html).toMatch(/<a href="file:\/\/[^"]*tracker\.xlsx[^"]*">BUCP-1<\/a>/);
    expect(html).toContain('sponsor');
    expect(text).toContain('BUCP: BUCP-1');
    expect(text).toContain('Use case: Use case BUCP-1');
    expect(text).toContain('Departments: DHCS requesting from CDPH');
    expect(text).toMatch(/Row: file:\/\/\S*tracker\.xlsx/);

    const again = await ws.run(`${TODAY}T08:00`, { mailer });
    expect(again.ok).toBe(true);
    expect(again.notifications).toEqual([]);
    expect(server.count()).toBe(3);
  });

  test.each([
    { at: 'RCPT', code: 550, permanent: true },
    { at: 'DATA', code: 550, permanent: true },
    { at: 'RCPT', code: 451, permanent: false },
    { at: 'DATA', code: 451, permanent: false },
  ] as const)('a $code at $at is a failure with permanent: $permanent', async ({ at, code, permanent }) => {
    const server = await startServer({ reject: { at, code } });
    const mailer = mailerFor(server);
    const rendered = templates.render({ template: 'reminder-digest', data: digestData() });

    const outcome = await mailer.send({
      key: `digest:${REQ}:${TODAY}`,
      kind: 'reminder',
      to: [REQ],
      cc: [],
      ...rendered,
    });

    expect(outcome).toEqual({ status: 'failed', permanent, error: expect.stringContaining(String(code)) });
    expect(server.count()).toBe(0);
  });

  test('a refused connection is a failure worth retrying', async () => {
    const server = await startServer();
    const port = server.port;
    await server.close();
    const mailer = mailerFor({ port });

    const outcome = await mailer.send({
      key: 'k',
      kind: 'reminder',
      to: [REQ],
      cc: [],
      subject: 's',
      html: '<p>h</p>',
      text: 't',
    });

    expect(outcome).toEqual({ status: 'failed', permanent: false, error: expect.any(String) });
  });

  test('a relay that never greets times out as a failure worth retrying: nothing was handed over', async () => {
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    servers.push({
      port: (silent.address() as AddressInfo).port,
      count: () => 0,
      received: () => Promise.resolve([]),
      close: () => {
        for (const socket of sockets) socket.destroy();
        return new Promise<void>((resolve) => silent.close(() => resolve()));
      },
    });
    const mailer = mailerFor({ port: (silent.address() as AddressInfo).port }, 500);

    const outcome = await mailer.send({
      key: 'k',
      kind: 'reminder',
      to: [REQ],
      cc: [],
      subject: 's',
      html: 'h',
      text: 't',
    });

    expect(outcome).toEqual({ status: 'failed', permanent: false, error: expect.any(String) });
  });

  test('a timeout after the whole message was handed over is outcome unknown, not a failure to retry', async () => {
    const server = await startServer({ hangAfterData: true });
    const mailer = mailerFor(server, 500);
    const rendered = templates.render({ template: 'reminder-digest', data: digestData() });

    const outcome = await mailer.send({
      key: `digest:${REQ}:${TODAY}`,
      kind: 'reminder',
      to: [REQ],
      cc: [],
      ...rendered,
    });

    // The relay holds the whole message: it may well deliver it, so it must not be resent blindly.
    expect(server.count()).toBe(1);
    expect(outcome).toEqual({ status: 'unknown', error: expect.stringMatching(/timeout/i) });
  });

  test('a use case name with markup arrives escaped in the HTML part and verbatim in the text part', async () => {
    const name = '<script>alert("x")</script> & Co';
    const server = await startServer();
    const mailer = mailerFor(server);
    const ws = await makeWorkspace();
    await ws.addProposals([
      proposal('BUCP-1', { 'Use Case Name': name, Stage: 'Provider Review', 'Stage Entered On': d('2026-10-26') }),
    ]);

    const report = await ws.run(`${TODAY}T08:00`, { mailer });

    expect(report.findings.map((f) => [f.bucpId, f.status])).toEqual([['BUCP-1', 'Stalled']]);
    const received = await server.received();
    expect(received).toHaveLength(1);
    const { mail } = received[0]!;
    expect(addresses(mail.to)).toEqual([PROV]);
    const html = htmlOf(mail);
    const text = textOf(mail);
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co');
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain(name);
    expect(text).toContain(`- BUCP-1: ${name}`);
    expect(text).not.toContain('&lt;');
    expect(text).not.toContain('&amp;');
  });

  test('a newline in a rendered value cannot split the subject into two headers', async () => {
    const server = await startServer();
    const mailer = mailerFor(server);
    const evil = 'BUCP-9\r\nBcc: attacker@evil.example\r\nX-Injected: yes';
    const rendered = templates.render({
      template: 'escalation',
      data: {
        ...digestData().groups[0]!.items[0]!,
        bucpId: evil,
        recipientRole: 'sponsor',
        noSponsor: false,
        requestingDepartment: 'DHCS',
        providingDepartment: 'CDPH',
        today: TODAY,
      },
    });
    expect(rendered.subject).not.toMatch(/[\r\n]/);
    expect(rendered.subject).toBe(
      'Escalated: BUCP-9 Bcc: attacker@evil.example X-Injected: yes has been 36 business days in Drafting (SLA 15)',
    );

    const outcome = await mailer.send({
      key: 'escalation:BUCP-9:1',
      kind: 'escalation',
      to: [SPONSOR],
      cc: [],
      ...rendered,
    });

    expect(outcome.status).toBe('sent');
    const [{ mail, rcptTo, raw }] = (await server.received()) as [Received];
    expect(rcptTo).toEqual([SPONSOR]);
    expect(mail.subject).toBe(rendered.subject);
    expect(mail.bcc).toBeUndefined();
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.has('x-injected')).toBe(false);
    expect(headerBlock(raw)).not.toMatch(/^(Bcc|X-Injected):/im);
  });

  test('a newline in an outgoing subject handed straight to the mailer cannot add a header', async () => {
    const server = await startServer();
    const mailer = mailerFor(server);

    const outcome = await mailer.send({
      key: 'k-newline',
      kind: 'reminder',
      to: [REQ],
      cc: [],
      subject: 'Reminder\r\nBcc: attacker@evil.example\nX-Injected: yes',
      html: '<p>Hello</p>',
      text: 'Hello',
    });

    expect(outcome.status).toBe('sent');
    const [{ mail, rcptTo, raw }] = (await server.received()) as [Received];
    expect(rcptTo).toEqual([REQ]);
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.subject).toContain('Reminder');
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.has('x-injected')).toBe(false);
    expect(headerBlock(raw)).not.toMatch(/^(Bcc|X-Injected):/im);
  });
});
