// Bounded concurrency for work that fans out over many calls (regions, accounts, clusters): no
// dependencies, so any module may use it without loading an SDK.

/**
 * Runs `worker` over `items` with at most `limit` running at once; results keep the input order. The first
 * failure stops new work, waits for what is in flight and is thrown: nothing runs on after the caller
 * has moved on (and closed the session's sockets).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, worker: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed: { error: unknown } | null = null;
  const run = async () => {
    while (next < items.length && !failed) {
      const index = next++;
      try {
        // In range: index < items.length was checked just above, with no await in between.
        results[index] = await worker(items[index] as T);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  if (failed) throw (failed as { error: unknown }).error;
  return results;
}

/**
 * Promise.allSettled over `items.map(run)`, each outcome paired with the item it belongs to (so no
 * caller indexes one array by the other's positions).
 */
export async function settleEach<T, R>(items: readonly T[], run: (item: T) => Promise<R>): Promise<[T, PromiseSettledResult<R>][]> {
  const outcomes = await Promise.allSettled(items.map((item) => run(item)));
  // allSettled answers with exactly one outcome per promise, in order.
  return outcomes.map((outcome, i) => [items[i] as T, outcome]);
}
