// A token's scopes as badges; write access stands out.
import { Badge } from "@/components/ui/badge";
import type { ApiTokenScope } from "@/supabase/functions/_shared/schemas/tokens.ts";

export function ScopeBadges({ scopes }: { scopes: readonly ApiTokenScope[] }) {
  return (
    <ul className="flex flex-wrap gap-1" aria-label="Scopes">
      {scopes.map((scope) => (
        <li key={scope}>
          <Badge variant={scope === "providers:write" ? "warning" : "secondary"} className="font-mono">
            {scope}
          </Badge>
        </li>
      ))}
    </ul>
  );
}
