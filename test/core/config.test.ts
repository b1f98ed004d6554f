import { describe, expect, test } from 'vitest';
import { effectiveSlas, parseConfig } from '../../src/core/config.ts';

const valid = {
  store: { kind: 'xlsx', path: 'a.xlsx', restrictedPath: 'b.xlsx' },
  mail: { kind: 'outbox', dir: 'out' },
  contacts: { governanceLiaison: 'liaison@chhs.example.gov' },
};

const AIRTABLE_A = 'appAAAAAAAAAAAAAA';
const AIRTABLE_B = 'appBBBBBBBBBBBBBB';

describe('config validation names the key path', () => {
  test.each([
    ['a wrong store kind', { ...valid, store: { kind: 'csv', path: 'a' } }, 'store.kind'],
    ['a missing workbook path', { ...valid, store: { kind: 'xlsx', restrictedPath: 'b.xlsx' } }, 'store.path'],
    [
      'an SMTP port that is text',
      { ...valid, mail: { kind: 'smtp', host: 'h', from: 'a@b.gov', port: 'x' } },
      'mail.port',
    ],
    ['an SMTP config without host', { ...valid, mail: { kind: 'smtp', from: 'a@b.gov' } }, 'mail.host'],
    [
      'a liaison that is not an email',
      { ...valid, contacts: { governanceLiaison: 'liaison' } },
      'contacts.governanceLiaison',
    ],
    [
      'a dispute-level contact that is not an email',
      { ...valid, contacts: { governanceLiaison: 'l@x.gov', disputeLevels: { 'Executive Council': 'nope' } } },
      'contacts.disputeLevels.Executive Council',
    ],
    [
      'an unknown dispute level',
      { ...valid, contacts: { governanceLiaison: 'l@x.gov', disputeLevels: { 'Supreme Court': 'a@b.gov' } } },
      'contacts.disputeLevels',
    ],
    ['an SLA that is not a whole number', { ...valid, slas: { Drafting: 2.5 } }, 'slas.Drafting'],
    ['an SLA for an unknown stage', { ...valid, slas: { Draft: 5 } }, 'slas'],
    ['an unknown time zone', { ...valid, timezone: 'Pacific/Atlantis' }, 'timezone'],
    ['a holiday that is not a date', { ...valid, holidays: { add: ['next friday'] } }, 'holidays.add.0'],
    ['an empty department list', { ...valid, departments: [] }, 'departments'],
    [
      'a repeat of zero days',
      { ...valid, reminders: { stalledRepeatBusinessDays: 0 } },
      'reminders.stalledRepeatBusinessDays',
    ],
    ['a misspelt top-level key', { ...valid, contact: {} }, '(top level)'],
    ['no contacts at all', { store: valid.store, mail: valid.mail }, 'contacts'],
    ['a schedule that is not cron', { ...valid, schedules: { reminders: 'every morning' } }, 'schedules.reminders'],
    ['a schedule for an unknown job', { ...valid, schedules: { backups: '0 1 * * *' } }, 'schedules'],
    [
      'an Airtable base ID that is a URL',
      { ...valid, store: { kind: 'airtable', baseId: 'https://airtable.com/app1', restrictedBaseId: AIRTABLE_B } },
      'store.baseId',
    ],
    [
      'an Airtable config without the restricted base',
      { ...valid, store: { kind: 'airtable', baseId: AIRTABLE_A } },
      'store.restrictedBaseId',
    ],
    [
      'an Airtable token in the file',
      { ...valid, store: { kind: 'airtable', baseId: AIRTABLE_A, restrictedBaseId: AIRTABLE_B, token: 'pat1' } },
      'store',
    ],
    [
      'an Airtable endpoint that is not a URL',
      { ...valid, store: { kind: 'airtable', baseId: AIRTABLE_A, restrictedBaseId: AIRTABLE_B, endpointUrl: 'local' } },
      'store.endpointUrl',
    ],
  ])('%s → %s', (_label, document, path) => {
    const result = parseConfig(document);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.map((p) => p.path)).toContain(path);
  });

  test('an Airtable store takes its token from AIRTABLE_TOKEN unless the config names another variable', () => {
    const result = parseConfig({
      ...valid,
      store: { kind: 'airtable', baseId: AIRTABLE_A, restrictedBaseId: AIRTABLE_B },
    });
    expect(result.ok && result.config.store).toEqual({
      kind: 'airtable',
      baseId: AIRTABLE_A,
      restrictedBaseId: AIRTABLE_B,
      tokenEnv: 'AIRTABLE_TOKEN',
      recordLimit: 50_000,
    });
  });

  test('defaults fill what is left out', () => {
    const result = parseConfig(valid);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.timezone).toBe('America/Los_Angeles');
    expect(result.config.disputes.businessDaysPerLevel).toBe(10);
    expect(effectiveSlas(result.config)).toMatchObject({ Concept: 20, Filed: 5, Active: null });
  });

  test('config can override an SLA and turn one off', () => {
    const result = parseConfig({ ...valid, slas: { Drafting: 30, Filed: null } });
    expect(result.ok && effectiveSlas(result.config)).toMatchObject({ Drafting: 30, Filed: null, Concept: 20 });
  });
});
