// A small SMTP client (RFC 5321) for the one kind of mail Cloudkeep sends: a plain-text
// message to one recipient. smtps:// connects over TLS; smtp:// upgrades with STARTTLS when
// the server offers it. Credentials are sent only over TLS or to a loopback host.
import "server-only";
import net from "node:net";
import { randomUUID } from "node:crypto";
import tls from "node:tls";

export type SmtpConfig = { url: URL; from: string };
export type MailMessage = { to: string; subject: string; text: string };

type Reply = { code: number; text: string };

export class SmtpError extends Error {
  override readonly name = "SmtpError";
}

/**
 * SMTP_URL (smtp://user:pass@host:port or smtps://…) and SMTP_FROM, or null when mail is
 * not configured. A half-configured or malformed setting throws, naming the variable.
 */
export function smtpConfigFromEnv(env: Record<string, string | undefined> = process.env): SmtpConfig | null {
  if (!env.SMTP_URL) return null;
  let url: URL;
  try {
    url = new URL(env.SMTP_URL);
  } catch {
    throw new SmtpError("SMTP_URL is not a valid URL; use smtp://user:password@host:port or smtps://…");
  }
  if (url.protocol !== "smtp:" && url.protocol !== "smtps:") throw new SmtpError("SMTP_URL must start with smtp:// or smtps://");
  if (!url.hostname) throw new SmtpError("SMTP_URL names no host");
  if (!env.SMTP_FROM) throw new SmtpError("SMTP_FROM must be set when SMTP_URL is (the sender, like Cloudkeep <noreply@example.com>)");
  return { url, from: env.SMTP_FROM };
}

/** The bare address in `Name <addr>` or `addr`. */
function address(value: string) {
  return (/<([^<>]+)>/.exec(value)?.[1] ?? value).trim();
}

/** Header values lose line breaks, so a value can never start a header of its own. */
const headerValue = (value: string) => value.replace(/[\r\n]+/g, " ");

function encodeWord(value: string) {
  const clean = headerValue(value);
  return /^[\x20-\x7e]*$/.test(clean) ? clean : `=?UTF-8?B?${Buffer.from(clean, "utf8").toString("base64")}?=`;
}

/** The DATA section: headers, then the body in base64 (safe for any server and any text). */
export function formatMessage(from: string, message: MailMessage, host: string) {
  const body = Buffer.from(message.text.replace(/\r?\n/g, "\r\n"), "utf8").toString("base64").replace(/.{76}/g, "$&\r\n");
  return [
    `From: ${headerValue(from)}`,
    `To: ${headerValue(message.to)}`,
    `Subject: ${encodeWord(message.subject)}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: <${randomUUID()}@${host}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    body,
  ].join("\r\n");
}

/** Complete replies (last line `NNN text`) read from a socket, one at a time. */
function replyReader(socket: net.Socket) {
  let buffer = "";
  let lines: string[] = [];
  const ready: Reply[] = [];
  let failure: Error | null = null;
  let waiter: { resolve: (reply: Reply) => void; reject: (error: Error) => void } | null = null;

  const settle = () => {
    if (!waiter) return;
    const current = waiter;
    if (ready.length) {
      waiter = null;
      current.resolve(ready.shift()!);
    } else if (failure) {
      waiter = null;
      current.reject(failure);
    }
  };
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    for (let end = buffer.indexOf("\n"); end >= 0; end = buffer.indexOf("\n")) {
      const line = buffer.slice(0, end).replace(/\r$/, "");
      buffer = buffer.slice(end + 1);
      lines.push(line);
      if (/^\d{3}(?: |$)/.test(line)) {
        ready.push({ code: Number(line.slice(0, 3)), text: lines.map((l) => l.slice(4)).join("\n") });
        lines = [];
      }
    }
    settle();
  };
  const onError = (error: Error) => {
    failure ??= new SmtpError(`Mail server connection failed: ${error.message}`);
    settle();
  };
  const onClose = () => onError(new Error("the server closed the connection"));
  socket.on("data", onData).on("error", onError).on("close", onClose);

  return {
    next: () =>
      new Promise<Reply>((resolve, reject) => {
        waiter = { resolve, reject };
        settle();
      }),
    detach: () => socket.off("data", onData).off("error", onError).off("close", onClose),
  };
}

function open(url: URL, timeoutMs: number): Promise<net.Socket> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const implicitTls = url.protocol === "smtps:";
  const port = Number(url.port || (implicitTls ? 465 : 25));
  return new Promise((resolve, reject) => {
    const socket = implicitTls ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host }) : net.connect({ host, port });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    socket.once(implicitTls ? "secureConnect" : "connect", () => resolve(socket));
    socket.once("error", (error) => reject(new SmtpError(`Cannot reach the mail server ${host}:${port}: ${error.message}`)));
  });
}

function startTls(socket: net.Socket, host: string, timeoutMs: number): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ socket, servername: net.isIP(host) ? undefined : host });
    secure.setTimeout(timeoutMs, () => secure.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    secure.once("secureConnect", () => resolve(secure));
    secure.once("error", (error) => reject(new SmtpError(`STARTTLS failed: ${error.message}`)));
  });
}

const isLoopback = (host: string) => host === "localhost" || host === "::1" || host.startsWith("127.");

/** Sends one message; resolves when the server has accepted it, or throws SmtpError saying which step failed. */
export async function sendMail(config: SmtpConfig, message: MailMessage, { timeoutMs = 10_000 } = {}) {
  const host = config.url.hostname.replace(/^\[|\]$/g, "");
  let socket = await open(config.url, timeoutMs);
  let reader = replyReader(socket);
  let secure = config.url.protocol === "smtps:";

  const expect = async (step: string, codes: number[]) => {
    const reply = await reader.next();
    // The server's reply text may echo what we sent (the recipient), never the password.
    if (!codes.includes(reply.code)) throw new SmtpError(`The mail server refused ${step}: ${reply.code} ${reply.text.split("\n")[0]}`);
    return reply;
  };
  const send = (step: string, line: string, codes: number[]) => {
    socket.write(`${line}\r\n`);
    return expect(step, codes);
  };

  try {
    await expect("the connection", [220]);
    let hello = await send("EHLO", "EHLO cloudkeep", [250]);
    if (!secure && /^STARTTLS\b/im.test(hello.text)) {
      await send("STARTTLS", "STARTTLS", [220]);
      reader.detach();
      socket = await startTls(socket, host, timeoutMs);
      reader = replyReader(socket);
      secure = true;
      hello = await send("EHLO", "EHLO cloudkeep", [250]);
    }
    if (config.url.username) {
      if (!secure && !isLoopback(host)) {
        throw new SmtpError(
          "The mail server offers no TLS; Cloudkeep will not send the SMTP password in the clear. Use smtps:// or a server with STARTTLS.",
        );
      }
      const credentials = `\0${decodeURIComponent(config.url.username)}\0${decodeURIComponent(config.url.password)}`;
      await send("the login (AUTH PLAIN)", `AUTH PLAIN ${Buffer.from(credentials, "utf8").toString("base64")}`, [235]);
    }
    await send("the sender", `MAIL FROM:<${address(config.from)}>`, [250]);
    await send("the recipient", `RCPT TO:<${address(message.to)}>`, [250, 251]);
    await send("DATA", "DATA", [354]);
    // Dot-stuffing: a line starting with "." gets another, so it cannot end the data early.
    const data = formatMessage(config.from, message, host).replace(/^\./gm, "..");
    await send("the message", `${data}\r\n.`, [250]);
    socket.write("QUIT\r\n");
  } finally {
    reader.detach();
    // Late errors (a reset after QUIT) must not crash the server: the outcome is already known.
    socket.on("error", () => {});
    socket.end();
  }
}
