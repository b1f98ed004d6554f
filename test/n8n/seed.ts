import path from 'node:path';
import { parseConfig } from '../../src/core/config.ts';
import { RESTRICTED_CONTENT_HEADERS, TABS } from '../../src/core/contract.ts';
import { calendarFor } from '../../src/core/cycle.ts';
import { localDate } from '../../src/core/dates.ts';
import { sampleData } from '../../src/demo/sample-data.ts';
import { runInit } from '../../src/jobs/init.job.ts';
import { createStores } from '../../src/stores/create-stores.ts';
import { appendRowsByHeader } from '../../src/stores/xlsx-seed.ts';

export const CANARY = 'CANARY-n8n-5d1e-RESTRICTED';

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
  const config = parsed.config;
  const stores = createStores(config.store);
  await runInit({ config, store: stores.tracker, restricted: stores.restricted });
  const data = sampleData(localDate(now, config.timezone), calendarFor(config), count);
  await appendRowsByHeader(tracker, TABS.proposals, data.proposals);
  await appendRowsByHeader(tracker, TABS.disputes, data.disputes);
  await appendRowsByHeader(
    restrictedPath,
    TABS.restricted,
    data.restricted.map((row) => ({
      ...row,
      ...Object.fromEntries(RESTRICTED_CONTENT_HEADERS.map((h) => [h, `${h}: ${CANARY}`])),
    })),
  );
  return { tracker, restricted: restrictedPath };
}
