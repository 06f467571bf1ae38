// The organization's API tokens for admins: what each may do, who made it, when it expires and
// was last used. Only active tokens offer Revoke; revoked ones stay listed for the record.
import { formatDateTime, formatRelative } from "@/components/providers/provider-meta";
import { Badge } from "@/components/ui/badge";
import { ACTIONS_COLUMN, ListTable } from "@/components/list-table";
import { TableCell, TableRow } from "@/components/ui/table";
import type { ApiTokenRecord } from "@/lib/db/queries/tokens";
import type { ApiTokenStatus } from "@/supabase/functions/_shared/domain/api-tokens.ts";
import { RevokeTokenButton } from "./revoke-token-button";
import { ScopeBadges } from "./scope-badges";

const STATUS: Record<ApiTokenStatus, { label: string; variant: "success" | "secondary" | "destructive" }> = {
  active: { label: "Active", variant: "success" },
  expired: { label: "Expired", variant: "secondary" },
  revoked: { label: "Revoked", variant: "destructive" },
};

function When({ date, now, empty }: { date: Date | null; now: Date; empty: string }) {
  if (!date) return <span className="text-muted-foreground">{empty}</span>;
  return (
    <time dateTime={date.toISOString()} title={formatDateTime(date)}>
      {formatRelative(date, now)}
    </time>
  );
}

export function TokensTable({ orgSlug, tokens, now }: { orgSlug: string; tokens: ApiTokenRecord[]; now: Date }) {
  return (
    <ListTable
      test="tokens-table"
      className="overflow-hidden"
      columns={[
        { label: "Name" },
        { label: "Scopes" },
        { label: "Created", className: "hidden md:table-cell" },
        { label: "Expires", className: "hidden sm:table-cell" },
        { label: "Last used", className: "hidden lg:table-cell" },
        { label: "Status" },
        ACTIONS_COLUMN,
      ]}
    >
      {tokens.map((token) => (
        <TableRow
          key={token.id}
          data-test="token-row"
          data-status={token.status}
          className={token.status === "active" ? undefined : "text-muted-foreground"}
        >
          <TableCell className="max-w-48">
            <span className="block truncate font-medium">{token.name}</span>
            <span className="font-mono text-xs text-muted-foreground">{token.token_prefix}…</span>
          </TableCell>
          <TableCell className="max-w-64">
            <ScopeBadges scopes={token.scopes} />
          </TableCell>
          <TableCell className="hidden md:table-cell">
            <span className="block max-w-48 truncate" title={token.created_by_email ?? undefined}>
              {token.created_by_email ?? <span className="text-muted-foreground">a former member</span>}
            </span>
            <span className="text-xs text-muted-foreground">
              <When date={token.created_at} now={now} empty="" />
            </span>
          </TableCell>
          <TableCell className="hidden whitespace-nowrap sm:table-cell">
            <When date={token.expires_at} now={now} empty="Never" />
          </TableCell>
          <TableCell className="hidden whitespace-nowrap lg:table-cell">
            <When date={token.last_used_at} now={now} empty="Never used" />
          </TableCell>
          <TableCell>
            <Badge variant={STATUS[token.status].variant} data-test="token-status">
              {STATUS[token.status].label}
            </Badge>
          </TableCell>
          <TableCell className="text-right">{token.status === "active" && <RevokeTokenButton orgSlug={orgSlug} token={token} />}</TableCell>
        </TableRow>
      ))}
    </ListTable>
  );
}
