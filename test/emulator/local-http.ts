import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** An emulator's HTTP server listening on `host:port` (port 0: any free one), and its origin URL. */
export async function listenHttp(
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>,
  host: string,
  port: number,
): Promise<{ server: http.Server; origin: string }> {
  const server = http.createServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, origin: `http://${host}:${(server.address() as AddressInfo).port}` };
}

/** Stops the server and closes every open connection. */
export function closeHttp(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
