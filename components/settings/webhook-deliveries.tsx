// The webhook's delivery log: each notification sent, how many tries, and the last answer.
import { Badge } from "@/components/ui/badge";
import { ListTable } from "@/components/list-table";
import { TableCell, TableRow } from "@/components/ui/table";
import { formatDateTime, formatRelative } from "@/components/providers/provider-meta";
import type { WebhookDelivery } from "@/supabase/functions/_shared/domain/attention.ts";

const STATUS_VARIANT = { delivered: "success", pending: "warning", failed: "destructive" } as const;

export function WebhookDeliveries({ deliveries, now }: { deliveries: WebhookDelivery[]; now: Date }) {
  if (deliveries.length === 0) return <p className="text-sm text-muted-foreground">No deliveries yet.</p>;
  return (
    <ListTable
      test="webhook-deliveries"
      columns={[
        { label: "Event" },
        { label: "Status" },
        { label: "Tries", className: "text-right" },
        { label: "Last answer" },
        { label: "Created" },
      ]}
    >
      {deliveries.map((delivery) => (
        <TableRow key={delivery.id}>
          <TableCell className="font-mono text-xs">{delivery.event}</TableCell>
          <TableCell>
            <Badge variant={STATUS_VARIANT[delivery.status]}>{delivery.status}</Badge>
            {delivery.status === "pending" && delivery.attempts > 0 && (
              <span className="ml-2 text-xs text-muted-foreground">next try {formatRelative(delivery.next_attempt_at, now)}</span>
            )}
          </TableCell>
          <TableCell className="text-right tabular-nums">{delivery.attempts}</TableCell>
          <TableCell className="max-w-xs truncate text-sm" title={delivery.last_error ?? undefined}>
            {delivery.last_status_code ?? ""} {delivery.last_error ?? (delivery.status === "delivered" ? "OK" : "—")}
          </TableCell>
          <TableCell className="whitespace-nowrap" title={formatDateTime(delivery.created_at)}>
            {formatRelative(delivery.created_at, now)}
          </TableCell>
        </TableRow>
      ))}
    </ListTable>
  );
}
