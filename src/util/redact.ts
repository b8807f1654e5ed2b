/**
 * One redaction for credentials in text: the password of a URL's userinfo
 * (`postgres://ann:s3cret@db`), a password given as a query parameter (`?password=s3cret`,
 * `&sslpassword=...`), and a key-value DSN's (`host=db password=s3cret`, quoted or not). Every log
 * line and error that may name a database or a mail server goes through it.
 */

/** `scheme://user:password@`: the password is what lies between the first `:` after the user and the last `@` before the host. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*):[^\s/?#]*@(?=[^\s@/?#]*(?:[/?#\s]|$))/gi;
/** `password=...` after `?`, `&` or `;` (a query) or at the start or after a space (a key-value DSN, spaces around `=` allowed). */
const PASSWORD_PARAMETER = /(^|[?&;\s])((?:ssl)?password|passwd|pwd)(\s*=\s*)(?:'(?:[^'\\]|\\.)*'|[^\s&#;]*)/gi;

/**
 * @example redactSecrets('postgres://ann:s3cret@db/m?password=x') // 'postgres://ann:***@db/m?password=***'
 */
export function redactSecrets(text: string): string {
  return text
    .replace(USERINFO, (_, head: string) => `${head}:***@`)
    .replace(PASSWORD_PARAMETER, (_, before: string, key: string) => `${before}${key}=***`);
}
