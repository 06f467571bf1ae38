// Tabs as links (?tab=…): each tab is its own URL, rendered on the server, shareable and
// kept by the back button. Looks like the Tabs primitive.
import Link from "next/link";
import { cn } from "@/lib/utils";

export type TabLink = { id: string; label: React.ReactNode; href: string };

export function TabLinks({ tabs, current, label }: { tabs: TabLink[]; current: string; label: string }) {
  return (
    <nav aria-label={label} className="-mx-1 overflow-x-auto px-1">
      <ul className="inline-flex h-9 w-fit items-center rounded-lg bg-muted p-[3px] text-muted-foreground">
        {tabs.map((tab) => {
          const active = tab.id === current;
          return (
            <li key={tab.id} className="h-full">
              <Link
                href={tab.href}
                scroll={false}
                aria-current={active ? "page" : undefined}
                data-test={`tab-${tab.id}`}
                className={cn(
                  "inline-flex h-full items-center gap-1.5 rounded-md border border-transparent px-3 text-sm font-medium whitespace-nowrap outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50",
                  active ? "bg-background text-foreground shadow-sm dark:border-input dark:bg-input/30" : "hover:text-foreground",
                )}
              >
                {tab.label}
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
