/**
 * Self-signed loopback TLS certificate (CN=localhost, SAN 127.0.0.1) for tests that need
 * an https:// origin, e.g. the https→http redirect refusal. Test-only key material with
 * no value: it protects nothing. Clients trust it via NODE_EXTRA_CA_CERTS in a child
 * process, as Node 20's fetch offers no per-request CA option without the undici package.
 */
export const LOOPBACK_TLS = {
  cert: `
-----BEGIN CERTIFICATE-----
MIIBmzCCAUGgAwIBAgIUDFdxwkJoD7pODoiccE3Fd8W8kf4wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyNTE2MTM0OVoYDzIxMjYxMTAx
MTYxMzQ5WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAARWgJLjr/2jF2FSDfkGClaTaAMmos/51TROy6kNjbkrjvhioPOMZq3G
f+zexELCM3+6SMNFCUKs7EwqOz8fqIlHo28wbTAdBgNVHQ4EFgQUlBlql+yCO7zm
4nb6nOEcViflCF4wHwYDVR0jBBgwFoAUlBlql+yCO7zm4nb6nOEcViflCF4wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARhwR/AAABgglsb2NhbGhvc3QwCgYIKoZI
zj0EAwIDSAAwRQIhAOfDhFKr7kPJ4rnamSS1HL9D1oS2jShrGnkW3BzXs3n1AiBh
Ej4e7IpRelNDwCa+EOptWdB71VSyk1QdvZ5FU1vciA==
-----END CERTIFICATE-----
`,
  key: `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgFWI2zRn+HyAv0u1w
BV8Rh2cxT3FfJ4cgFkw0QhTs3w6hRANCAARWgJLjr/2jF2FSDfkGClaTaAMmos/5
1TROy6kNjbkrjvhioPOMZq3Gf+zexELCM3+6SMNFCUKs7EwqOz8fqIlH
-----END PRIVATE KEY-----
`,
};
