import path from 'node:path';
import { parseConfig } from '../../src/core/config.ts';
import { RESTRICTED_CONTENT_HEADERS } from '../../src/core/contract.ts';
import { seedSampleTracker } from '../../src/jobs/demo.job.ts';

export const CANARY = 'CANARY-n8n-5d1e-RESTRICTED';

/** A restricted row with the canary in every restricted field. */
export function withCanary<T extends object>(row: T): T {
  return { ...row, ...Object.fromEntries(RESTRICTED_CONTENT_HEADERS.map((h) => [h, `${h}: ${CANARY}`])) };
}

/**
 * A local-workbook tracker with the sample proposals as of `now`, and the canary in every
 * restricted field: no node output, email or log line may show it.
 */
export async function seedTracker(
  dir: string,
  now: Date,
  count?: number,
): Promise<{ tracker: string; restricted: string }> {
  const tracker = path.join(dir, 'tracker.xlsx');
  const restrictedPath = path.join(dir, 'restricted.xlsx');
  const parsed = parseConfig({
    store: { kind: 'xlsx', path: tracker, restrictedPath },
    mail: { kind: 'outbox', dir: path.join(dir, 'outbox') },
    contacts: { governanceLiaison: 'governance.liaison@example.gov' },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  await seedSampleTracker(parsed.config, now, {
    ...(count === undefined ? {} : { count }),
    restricted: withCanary,
  });
  return { tracker, restricted: restrictedPath };
}
