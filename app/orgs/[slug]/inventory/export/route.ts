// GET /orgs/<slug>/inventory/export?<the page's filters>: the matching resources as CSV,
// streamed, read as the signed-in user under RLS like the page itself.
import { parseInventoryParams, toInventoryFilters } from "@/lib/inventory-params";
import { requireOrg } from "@/lib/auth/require-org";
import { inventoryCsvStream } from "@/lib/db/queries/inventory";

export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const { user, organization } = await requireOrg(slug);
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const filters = toInventoryFilters(parseInventoryParams(query));
  const day = new Date().toISOString().slice(0, 10);
  return new Response(inventoryCsvStream(user, organization.id, filters), {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${organization.slug}-inventory-${day}.csv"`,
      "cache-control": "private, no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
