// The local stand-in for the pg_cron job of hosted Supabase (see the health_sweeps
// migration): every minute it POSTs to /functions/v1/health-sweep through the gateway with
// the secret key, as pg_net does there. Each organization's interval decides what is due, so
// the timer only has to tick as often as the cron job.
export const SWEEP_EVERY_MS = 60_000;

export type Sweeper = {
  /** Runs one sweep now (unless one is running) and resolves when it is done. */
  sweepNow(): Promise<void>;
  stop(): Promise<void>;
};

export function startSweeper(options: { supabaseUrl: string; secretKey: string; everyMs?: number; log?: (line: string) => void }): Sweeper {
  const log = options.log ?? (() => {});
  const abort = new AbortController();
  let running: Promise<void> | null = null;

  async function sweep() {
    try {
      const response = await fetch(`${options.supabaseUrl}/functions/v1/health-sweep`, {
        method: "POST",
        headers: { authorization: `Bearer ${options.secretKey}`, "content-type": "application/json" },
        body: "{}",
        signal: abort.signal,
      });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
        log(`[sweep] the health-sweep function answered ${response.status}: ${body?.error?.message ?? "no message"}`);
      } else {
        await response.body?.cancel();
      }
    } catch (error) {
      if (!abort.signal.aborted) log(`[sweep] could not reach the health-sweep function: ${(error as Error).message}`);
    }
  }

  const sweepNow = () => (running ??= sweep().finally(() => (running = null)));
  // A sweep that outlasts the interval is not doubled up; the next tick finds it still running.
  const timer = setInterval(() => void sweepNow(), options.everyMs ?? SWEEP_EVERY_MS);
  timer.unref();

  return {
    sweepNow,
    async stop() {
      clearInterval(timer);
      abort.abort();
      await running;
    },
  };
}
