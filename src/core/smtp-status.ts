/**
 * The first SMTP status in an error text: a reply code of class 4 or 5 (451, 550) or an enhanced status
 * code (4.2.0, 5.1.1). Never part of a longer number, a word, an IP address (10.5.1.1) or a port (:465).
 */
const SMTP_STATUS = /(?<![\w.:/])([45])(?:[0-5]\d|\.\d{1,3}\.\d{1,3})(?!\w|[.:/]\d)/;

/**
 * Whether a failed send was refused for good, so that it waits out a backoff instead of being retried
 * on the next cycle. Class 5 is permanent; class 4, and an error with no SMTP status at all (a refused
 * connection), are worth retrying. The relay's reply code decides where the sender has it (nodemailer
 * does); otherwise the first status in the error text does: n8n's Send Email reports only the text,
 * such as "Can't send mail - all recipients were rejected: 550 5.1.1 <x@example.gov>: User unknown".
 */
export function isPermanentSmtpFailure(error: string, responseCode?: number): boolean {
  if (responseCode !== undefined && responseCode >= 400 && responseCode < 600) return responseCode >= 500;
  return SMTP_STATUS.exec(error)?.[1] === '5';
}
