// Where the browser actually fetches a Neuroglancer kvstore URL from: s3:// and gs:// become
// the HTTPS endpoints the client uses (lib/kvstore/s3, lib/kvstore/gcs). Shared by the CSP
// (which origins the viewer may connect to) and `presets verify` (which info files to fetch).

/** The https URL a browser fetches for a kvstore URL, or null when it is not one we know. */
export function toHttpUrl(kvstoreUrl: string): string | null {
  const match = /^([a-z0-9+]+):\/\/([^/]*)(\/.*)?$/i.exec(kvstoreUrl);
  if (!match) return null;
  const [, scheme = "", host = "", rest = ""] = match;
  switch (scheme.toLowerCase()) {
    case "s3":
      return `https://${host}.s3.amazonaws.com${rest || "/"}`;
    case "gs":
      return `https://storage.googleapis.com/${host}${rest || "/"}`;
    case "http":
    case "https":
      return kvstoreUrl;
    default:
      return null;
  }
}

/** The origin (scheme://host[:port]) a kvstore URL is fetched from, or null. */
export function dataOrigin(kvstoreUrl: string): string | null {
  const url = toHttpUrl(kvstoreUrl);
  return url === null ? null : new URL(url).origin;
}
