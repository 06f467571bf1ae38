// The shape of every list in the portal: a bordered table with one header row. Pages give the
// columns (label, and classes such as "text-right" or "hidden md:table-cell") and the rows.
import type { ReactNode } from "react";
import { Table, TableBody, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { cn } from "@/lib/utils";

export type Column = { label: ReactNode; className?: string };

/** The last column of a list whose rows carry buttons: no visible heading. */
export const ACTIONS_COLUMN: Column = { label: <span className="sr-only">Actions</span>, className: "text-right" };

export function ListTable({
  test,
  columns,
  children,
  className = "overflow-x-auto",
}: {
  /** The data-test name browser tests find the list by. */
  test: string;
  columns: (Column | false)[];
  children: ReactNode;
  /** The frame's overflow: scroll sideways (default), or clip ("overflow-hidden"). */
  className?: string;
}) {
  return (
    <div className={cn("rounded-lg border", className)}>
      <Table data-test={test}>
        <TableHeader>
          <TableRow>
            {columns
              .filter((column) => column !== false)
              .map((column, index) => (
                <TableHead key={index} className={column.className}>
                  {column.label}
                </TableHead>
              ))}
          </TableRow>
        </TableHeader>
        <TableBody>{children}</TableBody>
      </Table>
    </div>
  );
}
