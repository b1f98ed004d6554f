import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One scripted answer of the endpoint. */
export type Answer =
  | { readonly status: number; readonly retryAfter?: string; readonly json?: unknown }
  | { readonly slowMs: number; readonly status?: number }
  | { readonly drop: true };

/** One post as the endpoint received it. */
export interface ReceivedPost {
  readonly path: string;
  readonly contentType: string | undefined;
  readonly text: string;
  readonly body: unknown;
  /** When it arrived, in ms since the epoch. */
  readonly at: number;
}

/**
 * A local HTTP server standing in for a Teams Workflows trigger or a Google Chat space webhook. It
 * records every post and answers by script: each post takes the next scripted answer, then the default.
 */
export class ChatEndpoint {
  readonly posts: ReceivedPost[] = [];
  private readonly script: Answer[] = [];
  private readonly sockets = new Set<Socket>();
  private server: Server | undefined;
  private port = 0;

  private readonly fallback: () => Answer;

  constructor(fallback: () => Answer) {
    this.fallback = fallback;
  }

  /** A Teams flow: 202 with no body. */
  static teams(): ChatEndpoint {
    return new ChatEndpoint(() => ({ status: 202 }));
  }

  /** A Google Chat webhook: 200 with the created message. */
  static googleChat(): ChatEndpoint {
    let n = 0;
    return new ChatEndpoint(() => ({ status: 200, json: { name: `spaces/AAAA/messages/m${(n += 1)}` } }));
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** The URL of a webhook on this server: the path and query stand in for the real URL's secret parts. */
  url(pathAndQuery = '/workflows/abc/triggers/manual/paths/invoke?sig=SECRET'): string {
    return `http://127.0.0.1:${this.port}${pathAndQuery}`;
  }

  /** Answers the next posts with these, in order. */
  answer(...answers: Answer[]): void {
    this.script.push(...answers);
  }

  bodies(): unknown[] {
    return this.posts.map((p) => p.body);
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    this.posts.push({ path: req.url ?? '', contentType: req.headers['content-type'], text, body, at: Date.now() });
    const answer = this.script.shift() ?? this.fallback();
    if ('drop' in answer) {
      req.socket.destroy();
      return;
    }
    if ('slowMs' in answer) {
      await new Promise((resolve) => setTimeout(resolve, answer.slowMs));
      if (res.destroyed) return;
      res.writeHead(answer.status ?? 202).end();
      return;
    }
    const headers: Record<string, string> = {};
    if (answer.retryAfter !== undefined) headers['retry-after'] = answer.retryAfter;
    if (answer.json !== undefined) headers['content-type'] = 'application/json';
    res.writeHead(answer.status, headers).end(answer.json === undefined ? '' : JSON.stringify(answer.json));
  }
}
