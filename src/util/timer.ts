/**
 * MAX_TIMER_MS is the longest delay Node's timers accept (2^31 - 1 ms,
 * about 24.8 days). A longer delay makes Node print a TimeoutOverflowWarning
 * and fire after 1 ms instead.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Returns `ms` capped at MAX_TIMER_MS, for a timer armed from a user's duration. */
export function timerDelay(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}
