/**
 * A rendered email, independent of how it is sent: the report templates produce it, the outbox
 * stores it and the mailer sends it (SMTP) or writes it (.eml).
 */
export interface MailAttachment {
  readonly filename: string;
  readonly contentType: string;
  readonly content: Buffer;
  /** Set for inline images referenced from the HTML as `cid:<cid>`. */
  readonly cid?: string;
}

export interface MailContent {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly attachments: readonly MailAttachment[];
}
