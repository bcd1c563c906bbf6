/**
 * What a TLS failure means for the person who configured the endpoint, by the code Node (or
 * OpenSSL through it) gives it, with the `tls:` setting that fixes it. Null: not a TLS failure.
 */

const UNTRUSTED = "the server's certificate is not signed by a CA vigil trusts: set tls.caFile to the CA that signed it";

const PROBLEMS: Readonly<Record<string, string>> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED,
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed: set tls.caFile to that certificate",
  CERT_SIGNATURE_FAILURE: "the server's certificate signature does not verify against tls.caFile",
  ERR_TLS_CERT_ALTNAME_INVALID:
    "the server's certificate does not carry the name asked for (the URL's host, or tls.serverName): use a name it carries",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet (check the clocks)",
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: 'the server wants a client certificate: set tls.certFile and tls.keyFile',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE: 'the server ended the handshake (it may want a client certificate: tls.certFile and tls.keyFile)',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA:
    "the server does not trust vigil's client certificate (tls.certFile): it is not signed by a CA the server knows",
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "the server refused vigil's client certificate (tls.certFile)",
  ERR_SSL_WRONG_VERSION_NUMBER: 'the endpoint does not speak TLS: is it an http:// URL?',
};

export function tlsProblem(code: unknown): string | null {
  return typeof code === 'string' ? (PROBLEMS[code] ?? null) : null;
}
