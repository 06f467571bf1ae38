import type { Metadata, Viewport } from "next";
import { headers } from "next/headers";
import { GeistMono } from "geist/font/mono";
import { GeistSans } from "geist/font/sans";

import { ThemeProvider } from "@/components/theme-provider";
import { Toaster } from "@/components/ui/sonner";

import "./globals.css";

export const metadata: Metadata = {
  title: {
    template: "%s · Cloudkeep",
    default: "Cloudkeep",
  },
  description:
    "Connect your organization's AWS, Azure and Google Cloud accounts, keep their credentials encrypted, and check that they still work.",
  applicationName: "Cloudkeep",
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#ffffff" },
    { media: "(prefers-color-scheme: dark)", color: "#0a0d10" },
  ],
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // The per-request nonce of the Content-Security-Policy (proxy.ts), for next-themes' inline script.
  const nonce = (await headers()).get("x-nonce") ?? undefined;
  return (
    // next-themes sets the theme class on <html> before React hydrates; that difference is expected.
    <html lang="en" suppressHydrationWarning className={`${GeistSans.variable} ${GeistMono.variable}`}>
      <body>
        <ThemeProvider nonce={nonce}>
          {children}
          <Toaster closeButton />
        </ThemeProvider>
      </body>
    </html>
  );
}
