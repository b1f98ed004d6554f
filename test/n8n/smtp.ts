import { type ParsedMail, simpleParser } from 'mailparser';
import { listenSmtp } from '../support/smtp-server.ts';

export interface Received {
  readonly rcptTo: string[];
  readonly raw: string;
  readonly mail: ParsedMail;
}

/** A real SMTP server on loopback that keeps every message it accepts, parsed. */
export async function smtpServer(): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = await listenSmtp({
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString();
        void simpleParser(raw).then((mail) => {
          received.push({ rcptTo: session.envelope.rcptTo.map((a) => a.address), raw, mail });
          callback();
        });
      });
    },
  });
  return { port: server.port, received, close: server.close };
}
