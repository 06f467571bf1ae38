"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { BellIcon, BoxesIcon, CloudIcon, KeyRoundIcon, ScrollTextIcon, SettingsIcon, UsersIcon, type LucideIcon } from "lucide-react";

import { cn } from "@/lib/utils";

const sections: { segment: string; label: string; icon: LucideIcon }[] = [
  { segment: "providers", label: "Providers", icon: CloudIcon },
  { segment: "inventory", label: "Inventory", icon: BoxesIcon },
  { segment: "attention", label: "Needs attention", icon: BellIcon },
  { segment: "members", label: "Members", icon: UsersIcon },
  { segment: "tokens", label: "API tokens", icon: KeyRoundIcon },
  { segment: "audit", label: "Audit", icon: ScrollTextIcon },
  { segment: "settings", label: "Settings", icon: SettingsIcon },
];

type SidebarNavProps = {
  orgSlug: string;
  /** Called when a link is followed, so the mobile sheet can close even on the current page. */
  onNavigate?: () => void;
  className?: string;
};

export function SidebarNav({ orgSlug, onNavigate, className }: SidebarNavProps) {
  const pathname = usePathname();

  return (
    <nav aria-label="Organization" className={className}>
      <ul className="grid gap-0.5">
        {sections.map(({ segment, label, icon: Icon }) => {
          const href = `/orgs/${encodeURIComponent(orgSlug)}/${segment}`;
          const active = pathname === href || pathname.startsWith(`${href}/`);

          return (
            <li key={segment}>
              <Link
                href={href}
                aria-current={active ? "page" : undefined}
                onClick={onNavigate}
                className={cn(
                  "flex h-9 items-center gap-3 rounded-md px-3 text-sm font-medium text-sidebar-foreground/75 transition-colors outline-none hover:bg-sidebar-accent hover:text-sidebar-accent-foreground focus-visible:ring-[3px] focus-visible:ring-sidebar-ring/50",
                  active && "bg-sidebar-accent text-sidebar-accent-foreground",
                )}
              >
                <Icon aria-hidden="true" className={cn("size-4 shrink-0", active ? "text-sidebar-primary" : "text-muted-foreground")} />
                {label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
