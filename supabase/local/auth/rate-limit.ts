// In-memory brake on password guessing: at most `limit` failed sign-ins per email inside a
// sliding window. Deliberately simple (one process, forgotten on restart):
// - an attempt is counted when it starts and un-counted only if it succeeds, so parallel
//   guesses cannot slip past the limit while bcrypt runs;
// - a success does not erase earlier failures, so an attacker cannot reset the window by
//   signing in to the account in between; the block lifts when the oldest failure ages out;
// - while blocked, even the right password is refused (429), or the limit would leak it.
export class FailedSignInLimiter {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 5 * 60_000,
  ) {}

  /** Counts an attempt for `key` at `now`; false when the key is over the limit. */
  tryAcquire(key: string, now: number): boolean {
    const recent = this.recent(key, now);
    if (recent.length >= this.limit) return false;
    recent.push(now);
    this.attempts.set(key, recent);
    if (this.attempts.size > 10_000) this.sweep(now);
    return true;
  }

  /** Un-counts an attempt that succeeded. */
  release(key: string, at: number): void {
    const list = this.attempts.get(key);
    const index = list?.indexOf(at) ?? -1;
    if (list && index >= 0) list.splice(index, 1);
    if (list?.length === 0) this.attempts.delete(key);
  }

  private recent(key: string, now: number): number[] {
    return (this.attempts.get(key) ?? []).filter((at) => now - at < this.windowMs);
  }

  private sweep(now: number) {
    for (const key of this.attempts.keys()) {
      const recent = this.recent(key, now);
      if (recent.length === 0) this.attempts.delete(key);
      else this.attempts.set(key, recent);
    }
  }
}
