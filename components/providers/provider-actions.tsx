"use client";
// An admin's actions on one provider: edit, rotate credentials, suspend or resume, delete. Pages render
// this only for admins and owners; the server actions refuse everyone else regardless.
import { useState } from "react";
import { MoreHorizontal, Pause, Pencil, Play, RefreshCcw, ShieldCheck, Trash2 } from "lucide-react";

import { Button } from "@/components/ui/button";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { DeleteProviderDialog } from "./delete-provider-dialog";
import { EditProviderDialog } from "./edit-provider-dialog";
import type { ProviderSummary } from "./provider-meta";
import { RotateCredentialsDialog } from "./rotate-credentials-dialog";
import { SuspendProviderDialog } from "./suspend-provider-dialog";

type Open = "edit" | "rotate" | "read_only" | "suspend" | "delete" | null;

type ProviderActionsProps = {
  orgSlug: string;
  provider: ProviderSummary;
  /** "menu": one icon button (cards); "toolbar": the common actions as buttons (detail page). */
  layout?: "menu" | "toolbar";
  /** After deleting, go here (the detail page sends the user back to the list). */
  afterDeleteHref?: string;
};

export function ProviderActions({ orgSlug, provider, layout = "menu", afterDeleteHref }: ProviderActionsProps) {
  const [open, setOpenState] = useState<Open>(null);
  // A dialog mounts the first time it opens and stays (so it can animate closed): a page of 24
  // cards then renders no closed dialogs at all.
  const [used, setUsed] = useState<ReadonlySet<Open>>(() => new Set());
  const setOpen = (which: Open) => {
    if (which && !used.has(which)) setUsed(new Set(used).add(which));
    setOpenState(which);
  };
  const suspended = provider.status === "suspended";
  const dialogProps = (which: Exclude<Open, null>) => ({
    orgSlug,
    provider,
    open: open === which,
    onOpenChange: (next: boolean) => setOpen(next ? which : null),
  });

  const items = (
    <>
      {layout === "menu" && (
        <>
          <DropdownMenuItem onSelect={() => setOpen("edit")}>
            <Pencil aria-hidden="true" />
            Edit
          </DropdownMenuItem>
          <DropdownMenuItem onSelect={() => setOpen("rotate")}>
            <RefreshCcw aria-hidden="true" />
            Rotate credentials
          </DropdownMenuItem>
        </>
      )}
      <DropdownMenuItem onSelect={() => setOpen("read_only")}>
        <ShieldCheck aria-hidden="true" />
        Read-only credential
      </DropdownMenuItem>
      <DropdownMenuItem onSelect={() => setOpen("suspend")}>
        {suspended ? <Play aria-hidden="true" /> : <Pause aria-hidden="true" />}
        {suspended ? "Resume" : "Suspend"}
      </DropdownMenuItem>
      <DropdownMenuSeparator />
      <DropdownMenuItem variant="destructive" onSelect={() => setOpen("delete")}>
        <Trash2 aria-hidden="true" />
        Delete
      </DropdownMenuItem>
    </>
  );

  return (
    <>
      {layout === "toolbar" ? (
        <div className="flex flex-wrap items-center gap-2">
          <Button variant="outline" onClick={() => setOpen("edit")}>
            <Pencil aria-hidden="true" />
            Edit
          </Button>
          <Button variant="outline" onClick={() => setOpen("rotate")}>
            <RefreshCcw aria-hidden="true" />
            Rotate credentials
          </Button>
          <DropdownMenu modal={false}>
            <DropdownMenuTrigger asChild>
              <Button variant="outline" size="icon" aria-label={`More actions for ${provider.name}`}>
                <MoreHorizontal aria-hidden="true" />
              </Button>
            </DropdownMenuTrigger>
            <DropdownMenuContent align="end">{items}</DropdownMenuContent>
          </DropdownMenu>
        </div>
      ) : (
        <DropdownMenu modal={false}>
          <DropdownMenuTrigger asChild>
            <Button variant="ghost" size="icon-sm" aria-label={`Actions for ${provider.name}`} data-test="provider-actions">
              <MoreHorizontal aria-hidden="true" />
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end">{items}</DropdownMenuContent>
        </DropdownMenu>
      )}

      {used.has("edit") && <EditProviderDialog {...dialogProps("edit")} />}
      {used.has("rotate") && <RotateCredentialsDialog {...dialogProps("rotate")} />}
      {used.has("read_only") && <RotateCredentialsDialog {...dialogProps("read_only")} mode="read_only" />}
      {used.has("suspend") && <SuspendProviderDialog {...dialogProps("suspend")} />}
      {used.has("delete") && <DeleteProviderDialog {...dialogProps("delete")} redirectTo={afterDeleteHref} />}
    </>
  );
}
