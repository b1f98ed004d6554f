import { pino, type Logger, type DestinationStream } from 'pino';
import pretty from 'pino-pretty';
import { RESTRICTED_CONTENT_HEADERS } from './core/contract.ts';

export type { Logger };

/**
 * Restricted field names are redacted wherever they appear in a log line: a second line of
 * defence, since the restricted store's port never hands their content out in the first place.
 */
const SECRET_KEYS = ['webhookUrl', 'url'];
const REDACT_PATHS = [
  ...RESTRICTED_CONTENT_HEADERS.flatMap((h) => [`["${h}"]`, `*["${h}"]`, `*.*["${h}"]`]),
  // A chat webhook URL is a secret: nothing logs one, and a line handed one by mistake hides it.
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
];

export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  const level = options.level ?? process.env.BUCP_LOG_LEVEL ?? 'info';
  return pino(
    {
      level,
      base: { service: 'bucp-tracker' },
      redact: {
        paths: REDACT_PATHS,
        censor: (_value: unknown, path: string[]) =>
          SECRET_KEYS.includes(path.at(-1) ?? '') ? '[secret]' : '[restricted]',
      },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? defaultDestination(),
  );
}

/**
 * JSON lines on stderr for machines (a service manager, a log shipper); readable lines when stderr is
 * a terminal. BUCP_LOG_FORMAT=json or pretty overrides the guess.
 */
function defaultDestination(): DestinationStream {
  const format = process.env.BUCP_LOG_FORMAT ?? (process.stderr.isTTY ? 'pretty' : 'json');
  if (format === 'pretty')
    return pretty({ destination: 2, colorize: process.stderr.isTTY, ignore: 'pid,hostname,service' });
  return pino.destination(2);
}

/** What a caught error says, for a log line or a status field: anything may be thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
