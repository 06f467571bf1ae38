// Invitation mail over SMTP, against a fake server that checks the login and keeps the message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendInvitationEmail } from "../../lib/mail/invitation-email.ts";
import { SmtpError, smtpConfigFromEnv } from "../../lib/mail/smtp.ts";
import { mailBody, mailHeader, startFakeSmtp, testCertificate } from "../fakes/smtp.ts";

let smtp: Awaited<ReturnType<typeof startFakeSmtp>>;
const link = "http://127.0.0.1:3000/invite/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";
const invitation = {
  to: "new.person@example.test",
  link,
  organizationName: "Zürich Ops",
  role: "admin" as const,
  invitedBy: "boss@example.test",
  expiresAt: new Date("2030-01-08T10:00:00Z"),
};

beforeAll(async () => {
  smtp = await startFakeSmtp();
});
afterAll(() => smtp.stop());

describe("smtpConfigFromEnv", () => {
  it("is off without SMTP_URL", () => {
    expect(smtpConfigFromEnv({})).toBeNull();
  });

  it("names the missing or malformed variable", () => {
    expect(() => smtpConfigFromEnv({ SMTP_URL: "smtp://mail.example.test:587" })).toThrow(/SMTP_FROM must be set/);
    expect(() => smtpConfigFromEnv({ SMTP_URL: "http://mail.example.test", SMTP_FROM: "a@b.test" })).toThrow(/smtp:\/\/ or smtps:\/\//);
    expect(() => smtpConfigFromEnv({ SMTP_URL: "not a url", SMTP_FROM: "a@b.test" })).toThrow(/SMTP_URL is not a valid URL/);
  });
});

describe("sendInvitationEmail", () => {
  it("delivers the invitation link to the invitee, logged in with the configured account", async () => {
    const config = smtpConfigFromEnv({ SMTP_URL: smtp.url(), SMTP_FROM: "Cloudkeep <noreply@cloudkeep.test>" })!;
    await sendInvitationEmail(config, invitation);

    const mail = smtp.received.at(-1)!;
    expect(mail).toMatchObject({ from: "noreply@cloudkeep.test", to: ["new.person@example.test"], login: "mailer" });
    expect(mailHeader(mail, "To")).toBe("new.person@example.test");
    // The organization name is not ASCII, so the subject is an encoded word that decodes back.
    expect(mailHeader(mail, "Subject")).toBe(`=?UTF-8?B?${Buffer.from("Join Zürich Ops on Cloudkeep").toString("base64")}?=`);
    const body = mailBody(mail);
    expect(body).toContain(link);
    expect(body).toContain("boss@example.test invited you to join Zürich Ops on Cloudkeep as an admin.");
  });

  it("says which step failed when the server refuses the login, and never echoes the password", async () => {
    const before = smtp.received.length;
    const config = smtpConfigFromEnv({ SMTP_URL: smtp.url("mailer:wrong-password"), SMTP_FROM: "noreply@cloudkeep.test" })!;
    const failure = await sendInvitationEmail(config, invitation).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SmtpError);
    expect((failure as Error).message).toMatch(/refused the login \(AUTH PLAIN\): 535/);
    expect((failure as Error).message).not.toContain("wrong-password");
    expect(smtp.received.length).toBe(before);
  });

  it("reports an unreachable server instead of hanging", async () => {
    const config = smtpConfigFromEnv({ SMTP_URL: "smtp://127.0.0.1:1", SMTP_FROM: "noreply@cloudkeep.test" })!;
    await expect(sendInvitationEmail(config, invitation)).rejects.toThrow(/Cannot reach the mail server 127\.0\.0\.1:1/);
  });
});

describe("STARTTLS", () => {
  it("upgrades when the server offers it, and refuses a certificate nobody trusts before sending the login", async () => {
    const tlsSmtp = await startFakeSmtp({ starttls: testCertificate() });
    try {
      const config = smtpConfigFromEnv({ SMTP_URL: tlsSmtp.url(), SMTP_FROM: "noreply@cloudkeep.test" })!;
      await expect(sendInvitationEmail(config, invitation)).rejects.toThrow(/STARTTLS failed: .*(certificate|issuer)/);
      expect(tlsSmtp.commands).toEqual(["EHLO", "STARTTLS"]);
      expect(tlsSmtp.received).toEqual([]);
    } finally {
      await tlsSmtp.stop();
    }
  });
});
