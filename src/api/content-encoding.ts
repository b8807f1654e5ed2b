/** Content negotiation for compressed answers. */

/**
 * Whether an Accept-Encoding header takes gzip: listed, or `*`, and not with `q=0`.
 * @example acceptsGzip('br, gzip;q=0.8') // true
 */
export function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q) > 0);
  });
}
