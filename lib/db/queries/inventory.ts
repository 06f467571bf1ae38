// The organization-wide inventory for the portal, as the signed-in user (RLS applies): the page
// and its CSV export, both through the domain module GET /api/resources uses.
import "server-only";
import type { SessionUser } from "@/lib/auth/require-user";
import { readAsUser } from "@/lib/db/rls";
import {
  forEachInventoryBatch,
  inventoryCsvHeader,
  inventoryCsvLine,
  selectInventoryPage,
  type InventoryFilters,
  type InventoryPageOptions,
} from "@/supabase/functions/_shared/domain/inventory-queries.ts";

export { INVENTORY_SORTS, type InventorySort, type InventoryFilters } from "@/supabase/functions/_shared/domain/inventory-queries.ts";

export type InventoryPage = Awaited<ReturnType<typeof selectInventoryPage>>;

export function getInventoryPage(user: SessionUser, organizationId: string, filters: InventoryFilters, options: InventoryPageOptions) {
  return readAsUser(user, (tx) => selectInventoryPage(tx, organizationId, filters, options));
}

/**
 * The matching resources as CSV, streamed: rows leave in batches from a server-side cursor
 * while the read-only transaction stays open, and a slow client slows the reading down
 * (the writer waits for the stream to drain) instead of filling memory.
 */
export function inventoryCsvStream(user: SessionUser, organizationId: string, filters: InventoryFilters): ReadableStream<Uint8Array> {
  const { readable, writable } = new TransformStream<string, string>();
  const writer = writable.getWriter();
  const write = async (text: string) => {
    await writer.ready;
    await writer.write(text);
  };
  void (async () => {
    try {
      await write(inventoryCsvHeader());
      await readAsUser(user, (tx) =>
        forEachInventoryBatch(tx, organizationId, filters, async (batch) => {
          await write(batch.map(inventoryCsvLine).join(""));
        }),
      );
      await writer.close();
    } catch (error) {
      console.error(`inventory export: ${(error as Error)?.name ?? "error"}`);
      await writer.abort(error).catch(() => {});
    }
  })();
  return readable.pipeThrough(new TextEncoderStream());
}
