"use client";
// A page outside an organization (sign-in, onboarding, an invitation) failed on the server.
// Only the digest reaches the browser in production, never the error's text.
import { Button } from "@/components/ui/button";

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main role="alert" className="flex min-h-svh flex-col items-center justify-center gap-4 p-6 text-center">
      <h1 className="text-2xl font-semibold tracking-tight">Something went wrong</h1>
      <p className="text-muted-foreground max-w-sm">This page could not be loaded. Try again in a moment.</p>
      {error.digest ? <p className="text-muted-foreground font-mono text-xs">Reference: {error.digest}</p> : null}
      <Button onClick={reset}>Try again</Button>
    </main>
  );
}
