"use client";
// The audit log's action filter: choosing an action reloads the page with ?action=, keeping ?provider=.
import { useTransition } from "react";
import { usePathname, useRouter } from "next/navigation";

import { Label } from "@/components/ui/label";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@/components/ui/select";

const ALL = "all";

export function AuditActionFilter({ value, provider, actions }: { value: string; provider?: string; actions: [string, string][] }) {
  const router = useRouter();
  const pathname = usePathname();
  const [pending, startTransition] = useTransition();

  function choose(action: string) {
    const params = new URLSearchParams();
    if (provider) params.set("provider", provider);
    if (action !== ALL) params.set("action", action);
    const query = params.toString();
    startTransition(() => router.replace(query ? `${pathname}?${query}` : pathname));
  }

  return (
    <div className="grid gap-1.5" aria-busy={pending || undefined}>
      <Label htmlFor="audit-action">Action</Label>
      <Select value={value || ALL} onValueChange={choose}>
        <SelectTrigger id="audit-action" className="w-full sm:w-56">
          <SelectValue>{capitalise(actions.find(([action]) => action === value)?.[1] ?? "all actions")}</SelectValue>
        </SelectTrigger>
        <SelectContent>
          <SelectItem value={ALL}>All actions</SelectItem>
          {actions.map(([action, label]) => (
            <SelectItem key={action} value={action}>
              {capitalise(label)}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </div>
  );
}

function capitalise(text: string) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
