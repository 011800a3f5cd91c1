// Outgoing mail. With SMTP_URL set, mail goes through that server (nodemailer); without it each
// mail is written to the log at info level instead, so the embedded default works with no setup
// and a developer can still follow a link from the log.
import nodemailer, { type Transporter } from "nodemailer";
import type { Logger } from "pino";

export interface Mail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

export interface Mailer {
  /** Sends (or logs) one mail; rejects when the SMTP server refuses it. */
  send(mail: Mail): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl?: string | undefined;
  from?: string | undefined;
  log: Logger;
}

export const DEFAULT_MAIL_FROM = "Statuspage <statuspage@localhost>";

export function createMailer({ smtpUrl, from = DEFAULT_MAIL_FROM, log }: MailerOptions): Mailer {
  if (!smtpUrl) {
    return {
      send(mail) {
        log.info({ mail: { from, to: mail.to, subject: mail.subject, text: mail.text } }, "mail logged, not sent (SMTP_URL is not set)");
        return Promise.resolve();
      },
      close() {},
    };
  }
  const transport: Transporter = nodemailer.createTransport(smtpUrl);
  return {
    async send(mail) {
      const info = (await transport.sendMail({ from, ...mail })) as { messageId?: string };
      log.info({ to: mail.to, subject: mail.subject, messageId: info.messageId }, "mail sent");
    },
    close() {
      transport.close();
    },
  };
}
