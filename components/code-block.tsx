"use client";
// A block of text to copy whole (a template, commands, a policy): labelled, scrollable, focusable
// for keyboard scrolling, with a copy button.
import { CopyButton } from "@/components/copy-button";

export function CodeBlock({ label, text, "data-test": dataTest }: { label: string; text: string; "data-test"?: string }) {
  return (
    <div className="grid gap-2">
      <div className="flex items-center justify-between gap-2">
        <span className="text-sm font-medium">{label}</span>
        <CopyButton value={text} label={`Copy ${label.toLowerCase()}`} />
      </div>
      <pre
        tabIndex={0}
        aria-label={label}
        className="max-h-80 overflow-auto rounded-md border bg-muted/50 p-3 font-mono text-xs"
        data-test={dataTest}
      >
        {text}
      </pre>
    </div>
  );
}
