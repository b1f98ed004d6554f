import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import type { Mailer, OutgoingMessage } from '../../src/core/ports.ts';
import { messageIdFor } from '../../src/mail/message-id.ts';

/** One message as it reached its destination: the relay, or a file in the outbox. */
export interface Delivered {
  readonly key: string;
  readonly messageId: string;
}

/**
 * Brings about a condition in the adapter's own real way (a relay that answers 451, a folder that
 * cannot be written), and returns what takes it away again.
 */
export type Provoke = () => Promise<() => Promise<void>>;

/** What a contract run needs from one kind of mailer. */
export interface MailerFixture {
  readonly from: string;
  /** A mailer on the fixture's destination and record. Each call is a fresh instance, as after a restart. */
  open(): Mailer;
  /** Every message delivered so far, oldest first, read from the destination: never from the mailer's record. */
  delivered(): Promise<Delivered[]>;
  readonly provoke: {
    /** Nothing can be delivered for now (a 4xx, a folder that cannot be written). */
    readonly temporary: Provoke;
    /** The destination refuses the message for good (a 5xx). */
    readonly permanent?: Provoke;
    /** The whole message reaches the destination, which never says whether it took it. */
    readonly unknown?: Provoke;
    /** Messages are delivered, but the mailer's own record of them (journal, index) cannot be written. */
    readonly unrecorded: Provoke;
  };
  close(): Promise<void>;
}

export interface MailerContractOptions {
  readonly makeFixture: () => Promise<MailerFixture>;
  /** Outcomes this kind of mailer can never produce, each with the reason; their tests are skipped, saying so. */
  readonly cannot?: { readonly permanent?: string; readonly unknown?: string };
}

const message = (key: string): OutgoingMessage => ({
  key,
  kind: 'reminder',
  to: ['req@dhcs.example.gov'],
  cc: ['prov@cdph.example.gov'],
  subject: `Reminder ${key}`,
  html: `<p>About ${key}</p>`,
  text: `About ${key}\n`,
});

/** One suite, run against every Mailer adapter: what each send outcome means for what is delivered. */
export function mailerContract(name: string, options: MailerContractOptions): void {
  describe(`Mailer contract: ${name}`, () => {
    let f: MailerFixture;
    beforeEach(async () => {
      f = await options.makeFixture();
    });
    afterEach(async () => {
      await f.close();
    });

    const keys = async () => (await f.delivered()).map((d) => d.key);
    const provoker = (outcome: 'permanent' | 'unknown'): Provoke => {
      const provoke = f.provoke[outcome];
      if (!provoke) throw new Error(`the ${name} fixture cannot provoke a ${outcome} outcome`);
      return provoke;
    };
    /** A test of an outcome the adapter may declare impossible. */
    const outcomeTest = (outcome: 'permanent' | 'unknown', title: string, body: () => Promise<void>) => {
      const reason = options.cannot?.[outcome];
      if (reason) test.skip(`${title} (cannot happen with ${name}: ${reason})`, () => {});
      else test(title, body);
    };

    test('sent: each message is delivered once, under the Message-ID made from its key', async () => {
      const mailer = f.open();

      const first = await mailer.send(message('k-1'));
      const second = await mailer.send(message('k-2'));

      expect(first).toEqual({ status: 'sent', messageId: messageIdFor('k-1', f.from) });
      expect(second).toEqual({ status: 'sent', messageId: messageIdFor('k-2', f.from) });
      expect(await f.delivered()).toEqual([
        { key: 'k-1', messageId: messageIdFor('k-1', f.from) },
        { key: 'k-2', messageId: messageIdFor('k-2', f.from) },
      ]);
      expect(mailer.stopped?.() ?? null).toBeNull();
    });

    test('duplicate: a key already sent is not delivered again, by the same mailer or a fresh one', async () => {
      const messageId = messageIdFor('k-1', f.from);
      expect(await f.open().send(message('k-1'))).toEqual({ status: 'sent', messageId });

      const again = f.open();
      expect(await again.send(message('k-1'))).toEqual({ status: 'sent', messageId, duplicate: true });
      expect(await again.send(message('k-1'))).toEqual({ status: 'sent', messageId, duplicate: true });

      expect(await keys()).toEqual(['k-1']);
    });

    test('temporary: nothing is delivered, the failure is worth retrying, and a retry delivers it once', async () => {
      const mailer = f.open();
      const clear = await f.provoke.temporary();

      const outcome = await mailer.send(message('k-1'));

      expect(outcome).toEqual({ status: 'failed', permanent: false, error: expect.any(String) });
      expect(await keys()).toEqual([]);
      await clear();
      expect(await mailer.send(message('k-1'))).toEqual({ status: 'sent', messageId: messageIdFor('k-1', f.from) });
      expect(await keys()).toEqual(['k-1']);
    });

    outcomeTest('permanent', 'permanent: nothing is delivered, and the key is not on record as sent', async () => {
      const mailer = f.open();
      const clear = await provoker('permanent')();

      const outcome = await mailer.send(message('k-1'));

      expect(outcome).toEqual({ status: 'failed', permanent: true, error: expect.any(String) });
      expect(await keys()).toEqual([]);
      await clear();
      // A later try (the cycle's backoff decides when) is a real send, not a duplicate.
      expect(await mailer.send(message('k-1'))).toEqual({ status: 'sent', messageId: messageIdFor('k-1', f.from) });
      expect(await keys()).toEqual(['k-1']);
    });

    outcomeTest('unknown', 'unknown: the whole message was handed over and no answer came', async () => {
      const mailer = f.open();
      await provoker('unknown')();

      const outcome = await mailer.send(message('k-1'));

      expect(outcome).toEqual({ status: 'unknown', error: expect.any(String) });
      // The destination holds the message: that is why the cycle must never send it again blindly.
      expect(await keys()).toEqual(['k-1']);
    });

    test('a message delivered but not recorded is sent; the mailer then stops, and never delivers twice', async () => {
      const mailer = f.open();
      const clear = await f.provoke.unrecorded();

      const first = await mailer.send(message('k-1'));

      expect(first).toEqual({
        status: 'sent',
        messageId: messageIdFor('k-1', f.from),
        recordError: expect.stringContaining('cannot be written'),
      });
      expect(await keys()).toEqual(['k-1']);
      const stopped = mailer.stopped?.();
      expect(stopped).toBe(first.status === 'sent' ? first.recordError : 'not sent');
      // Stopped: another message is refused, for now; the one sent is still known to be sent.
      expect(await mailer.send(message('k-2'))).toEqual({ status: 'failed', permanent: false, error: stopped });
      expect(await mailer.recheck?.()).toBe(stopped);
      expect(await keys()).toEqual(['k-1']);

      await clear();
      expect(await mailer.recheck?.()).toBeNull();
      expect(mailer.stopped?.()).toBeNull();
      expect(await mailer.send(message('k-1'))).toMatchObject({ status: 'sent', duplicate: true });
      expect(await mailer.send(message('k-2'))).toEqual({ status: 'sent', messageId: messageIdFor('k-2', f.from) });
      // The record written once it could be: a fresh instance knows both.
      const fresh = f.open();
      expect(await fresh.send(message('k-1'))).toMatchObject({ status: 'sent', duplicate: true });
      expect(await fresh.send(message('k-2'))).toMatchObject({ status: 'sent', duplicate: true });
      expect(await keys()).toEqual(['k-1', 'k-2']);
    });
  });
}
