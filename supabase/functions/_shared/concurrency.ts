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
        results[index] = await worker(items[index]);
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, run));
  if (failed) throw (failed as { error: unknown }).error;
  return results;
}
