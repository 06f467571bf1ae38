"use client";
// The one confirmation dialog: a question, what happens, and a confirm button that runs a server
// action. The dialog stays open (and cannot be dismissed) until the server has answered; a refusal
// is shown in the dialog or as a toast, and success closes it.
import { useState, useTransition } from "react";

import { Alert, AlertDescription } from "@/components/ui/alert";
import {
  AlertDialog,
  AlertDialogAction,
  AlertDialogCancel,
  AlertDialogContent,
  AlertDialogDescription,
  AlertDialogFooter,
  AlertDialogHeader,
  AlertDialogTitle,
  AlertDialogTrigger,
} from "@/components/ui/alert-dialog";
import { toast } from "sonner";

/** What a confirmed action answers: nothing when it is done, or the message of its refusal. */
export type ConfirmOutcome = string | null | undefined | void;

type ConfirmDialogProps = {
  /** Opens the dialog (uncontrolled). Omit it and pass `open`/`onOpenChange` to control it. */
  trigger?: React.ReactElement;
  open?: boolean;
  onOpenChange?: (open: boolean) => void;
  title: React.ReactNode;
  description: React.ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  destructive?: boolean;
  /** Show a refusal inside the dialog (and keep confirm disabled) rather than as a toast. */
  refusalInDialog?: boolean;
  onConfirm: () => Promise<ConfirmOutcome>;
  "data-test"?: string;
};

export function ConfirmDialog(props: ConfirmDialogProps) {
  const [ownOpen, setOwnOpen] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const open = props.open ?? ownOpen;

  function setOpen(next: boolean) {
    if (pending) return;
    setRefusal(null);
    if (props.open === undefined) setOwnOpen(next);
    props.onOpenChange?.(next);
  }

  function confirm(event: React.MouseEvent) {
    // Stay open until the server has answered.
    event.preventDefault();
    startTransition(async () => {
      const refused = await props.onConfirm();
      if (refused) {
        if (props.refusalInDialog) setRefusal(refused);
        else toast.error(refused);
        return;
      }
      if (props.open === undefined) setOwnOpen(false);
      props.onOpenChange?.(false);
    });
  }

  return (
    <AlertDialog open={open} onOpenChange={setOpen}>
      {props.trigger && <AlertDialogTrigger asChild>{props.trigger}</AlertDialogTrigger>}
      <AlertDialogContent data-test={props["data-test"]}>
        <AlertDialogHeader>
          <AlertDialogTitle>{props.title}</AlertDialogTitle>
          <AlertDialogDescription>{props.description}</AlertDialogDescription>
        </AlertDialogHeader>
        {refusal && (
          <Alert variant="destructive">
            <AlertDescription>{refusal}</AlertDescription>
          </Alert>
        )}
        <AlertDialogFooter>
          <AlertDialogCancel disabled={pending}>Cancel</AlertDialogCancel>
          <AlertDialogAction
            variant={props.destructive ? "destructive" : "default"}
            onClick={confirm}
            disabled={pending || refusal !== null}
          >
            {pending ? props.pendingLabel : props.confirmLabel}
          </AlertDialogAction>
        </AlertDialogFooter>
      </AlertDialogContent>
    </AlertDialog>
  );
}
