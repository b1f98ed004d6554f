import { type ActivityEvent, type ActivityKind, dayOf } from './activity.ts';
import type { IsoDate } from './dates.ts';

/**
 * Where a tracked thing (a proposal's stage, a dispute's level) is, and since when, as the service
 * remembers it from the Activity Log.
 */
export interface Visit {
  readonly value: string;
  /** The day the service detected this visit: the fallback when staff give no entered-on date. */
  readonly detectedOn: IsoDate;
  /** The effective start of the visit, as last recorded. */
  readonly since: IsoDate;
  /** The effective start of the previous visit: an entered-on date equal to it is left over. */
  readonly previousSince: IsoDate | null;
}

export interface VisitKinds {
  readonly firstSeen: ActivityKind;
  readonly change: ActivityKind;
  readonly sinceChange: ActivityKind;
}

export const STAGE_KINDS: VisitKinds = {
  firstSeen: 'first-seen',
  change: 'stage-change',
  sinceChange: 'stage-since-change',
};
export const LEVEL_KINDS: VisitKinds = {
  firstSeen: 'level-first-seen',
  change: 'level-change',
  sinceChange: 'level-since-change',
};

/** Applies one Activity Log event to a visit. Events of other kinds leave it as it was. */
export function foldVisit(visit: Visit | undefined, event: ActivityEvent, kinds: VisitKinds): Visit | undefined {
  if (event.kind === kinds.firstSeen) {
    return { value: event.to, detectedOn: dayOf(event.at), since: event.on, previousSince: null };
  }
  if (event.kind === kinds.change) {
    return { value: event.to, detectedOn: dayOf(event.at), since: event.on, previousSince: visit?.since ?? null };
  }
  if (event.kind === kinds.sinceChange && visit) return { ...visit, since: event.on };
  return visit;
}

export interface VisitObservation {
  readonly value: string;
  /** What staff typed in the entered-on column (Stage Entered On, Level Entered On). */
  readonly enteredOn: IsoDate | null;
  /** Used when the thing is first seen with no entered-on date (a dispute's Raised On). */
  readonly firstSeenFallback?: IsoDate | null;
}

export interface VisitTransition {
  readonly kind: ActivityKind;
  readonly from: string;
  readonly to: string;
  readonly on: IsoDate;
  readonly detail: string;
}

export interface TrackedVisit {
  readonly since: IsoDate;
  /** The stable identity of this visit, for idempotency keys: the value and the day it was detected. */
  readonly visitId: string;
  readonly transition: VisitTransition | null;
}

/**
 * Decides the current visit's start from what the sheet shows now and what the log remembers.
 * An entered-on date counts only when it belongs to the current visit: one equal to, or before,
 * the previous visit's start was left over when staff changed the value and kept the old date.
 */
export function trackVisit(
  remembered: Visit | undefined,
  seen: VisitObservation,
  today: IsoDate,
  kinds: VisitKinds,
  label: string,
): TrackedVisit {
  const { enteredOn } = seen;
  if (!remembered) {
    const since = enteredOn ?? seen.firstSeenFallback ?? today;
    const source = enteredOn ? `${label} Entered On` : seen.firstSeenFallback ? 'the date it was raised' : 'first seen';
    return {
      since,
      visitId: visitIdOf(seen.value, today),
      transition: {
        kind: kinds.firstSeen,
        from: '',
        to: seen.value,
        on: since,
        detail: `since ${since} (${source})`,
      },
    };
  }
  if (remembered.value !== seen.value) {
    const usable = enteredOn !== null && enteredOn > remembered.since;
    const since = usable ? enteredOn : today;
    const detail = usable
      ? `since ${since} (${label} Entered On)`
      : enteredOn
        ? `since ${since} (detected; ${label} Entered On ${enteredOn} was left over from ${remembered.value})`
        : `since ${since} (detected)`;
    return {
      since,
      visitId: visitIdOf(seen.value, today),
      transition: { kind: kinds.change, from: remembered.value, to: seen.value, on: since, detail },
    };
  }
  const usable = enteredOn !== null && (remembered.previousSince === null || enteredOn > remembered.previousSince);
  const fallback =
    remembered.previousSince === null ? (seen.firstSeenFallback ?? remembered.detectedOn) : remembered.detectedOn;
  const since = usable ? enteredOn : fallback;
  const visitId = visitIdOf(seen.value, remembered.detectedOn);
  if (since === remembered.since) return { since, visitId, transition: null };
  return {
    since,
    visitId,
    transition: {
      kind: kinds.sinceChange,
      from: remembered.since,
      to: since,
      on: since,
      detail: usable ? `${label} Entered On changed to ${since}` : `${label} Entered On cleared; back to ${since}`,
    },
  };
}

/** A visit's identity: the value and the day it was detected ("Concept@2026-11-23"). */
function visitIdOf(value: string, detectedOn: IsoDate): string {
  return `${value}@${detectedOn}`;
}
