// A fake SMTP server on a free 127.0.0.1 port: speaks just enough RFC 5321 (EHLO, STARTTLS when
// given a certificate, AUTH PLAIN, MAIL, RCPT, DATA, QUIT) to receive a message, checks the
// login, and keeps what arrived and every command it was sent.
import { readFileSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import tls from "node:tls";

export type ReceivedMail = { from: string; to: string[]; login: string | null; data: string };

/** The test certificate for 127.0.0.1 (tests/fakes/certs), for a fake that offers STARTTLS. */
export function testCertificate() {
  const dir = new URL("./certs/", import.meta.url);
  return { key: readFileSync(new URL("server-key.pem", dir)), cert: readFileSync(new URL("server.pem", dir)) };
}

export async function startFakeSmtp({
  user = "mailer",
  password = "mail-secret",
  starttls = null as { key: Buffer; cert: Buffer } | null,
} = {}) {
  const received: ReceivedMail[] = [];
  const commands: string[] = [];
  const server = net.createServer((raw) => {
    let socket: net.Socket = raw;
    let buffer = "";
    let inData = false;
    let current: ReceivedMail = { from: "", to: [], login: null, data: "" };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply("220 fake.smtp.test ESMTP ready");
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      for (let end = buffer.indexOf("\r\n"); end >= 0; end = buffer.indexOf("\r\n")) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (inData) {
          if (line === ".") {
            inData = false;
            received.push(current);
            current = { from: "", to: [], login: current.login, data: "" };
            reply("250 2.0.0 queued");
          } else current.data += `${line.startsWith("..") ? line.slice(1) : line}\r\n`;
          continue;
        }
        const [verb = "", ...rest] = line.split(" ");
        const argument = rest.join(" ");
        commands.push(verb.toUpperCase());
        switch (verb.toUpperCase()) {
          case "EHLO":
            reply("250-fake.smtp.test");
            if (starttls && !(socket instanceof tls.TLSSocket)) reply("250-STARTTLS");
            reply("250-AUTH PLAIN");
            reply("250 8BITMIME");
            break;
          case "STARTTLS":
            reply("220 2.0.0 ready to start TLS");
            socket.off("data", onData);
            socket = new tls.TLSSocket(socket, { isServer: true, ...starttls! });
            socket.on("data", onData).on("error", () => {});
            buffer = "";
            break;
          case "AUTH": {
            const [, login = "", pass = ""] = Buffer.from(argument.replace(/^PLAIN /i, ""), "base64")
              .toString("utf8")
              .split("\0");
            if (login === user && pass === password) {
              current.login = login;
              reply("235 2.7.0 authenticated");
            } else reply("535 5.7.8 authentication failed");
            break;
          }
          case "MAIL":
            current.from = /<(.*)>/.exec(argument)?.[1] ?? "";
            reply("250 2.1.0 ok");
            break;
          case "RCPT":
            current.to.push(/<(.*)>/.exec(argument)?.[1] ?? "");
            reply("250 2.1.5 ok");
            break;
          case "DATA":
            inData = true;
            reply("354 end with <CRLF>.<CRLF>");
            break;
          case "QUIT":
            reply("221 2.0.0 bye");
            socket.end();
            break;
          default:
            reply("502 5.5.2 command not recognized");
        }
      }
    };
    raw.on("data", onData).on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    received,
    commands,
    url: (login = `${user}:${password}`) => `smtp://${login}@127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The decoded text body of a received message (Cloudkeep sends base64 text/plain). */
export function mailBody(mail: ReceivedMail) {
  const [, body = ""] = mail.data.split("\r\n\r\n");
  return Buffer.from(body.replace(/\r\n/g, ""), "base64").toString("utf8");
}

export function mailHeader(mail: ReceivedMail, name: string) {
  const [head = ""] = mail.data.split("\r\n\r\n");
  return new RegExp(`^${name}: (.*)$`, "im").exec(head)?.[1] ?? null;
}
