/** What the chaos tests share: a seeded generator, so both runs of a test draw the same staff actions. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4_294_967_296;
  };
}

/** `count` cycle times on business days from 2026-11-23 on, at these hours of each day. */
export function cycleTimes(count: number, hours: readonly string[]): string[] {
  const times: string[] = [];
  const day = new Date('2026-11-23T00:00:00Z');
  const holidays = new Set(['2026-11-26', '2026-11-27', '2026-12-25', '2027-01-01', '2027-01-18']);
  while (times.length < count) {
    const iso = day.toISOString().slice(0, 10);
    if (day.getUTCDay() % 6 !== 0 && !holidays.has(iso)) {
      for (const hour of hours) times.push(`${iso}T${hour}`);
    }
    day.setUTCDate(day.getUTCDate() + 1);
  }
  return times.slice(0, count);
}
