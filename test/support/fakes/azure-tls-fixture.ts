/**
 * Self-signed certificate for the loopback Key Vault fake: SANs *.vault.azure.net,
 * *.managedhsm.azure.net, localhost and 127.0.0.1 (EC P-256, CA:TRUE so it can be its own
 * trust anchor). Throwaway test material generated once with openssl; it protects nothing
 * and is trusted only by test processes (NODE_EXTRA_CA_CERTS, or the in-process redirect).
 */
export const KEY_VAULT_TLS = {
  cert: `
-----BEGIN CERTIFICATE-----
MIIB6TCCAY6gAwIBAgIUPI70Rbv3oFqJQx7JA+CyT+6wrQ8wCgYIKoZIzj0EAwIw
JDEiMCAGA1UEAwwZY2xlZi1hZ2VudCB0ZXN0IEtleSBWYXVsdDAgFw0yNjEyMDUw
MTI5MjRaGA8yMTI2MTExMTAxMjkyNFowJDEiMCAGA1UEAwwZY2xlZi1hZ2VudCB0
ZXN0IEtleSBWYXVsdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABD0CHTzIr2AO
DfB9zMreJkNoJUXglcywrmx/kYPmg0L2H+MjqpEp/PktD9U2AkFkeulrecFYQkDR
ioVug4AvguujgZswgZgwHQYDVR0OBBYEFJx97Jntf8gsHLRy3mo9Qd++U6UIMB8G
A1UdIwQYMBaAFJx97Jntf8gsHLRy3mo9Qd++U6UIMEUGA1UdEQQ+MDyCESoudmF1
bHQuYXp1cmUubmV0ghYqLm1hbmFnZWRoc20uYXp1cmUubmV0gglsb2NhbGhvc3SH
BH8AAAEwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEA9dIpmnsz
fMxSCAcJLFeljqKtepWhzWF8G6Lr5HJkskICIQCWCKpb1cMiC9O3S6UU4QyufXf1
xCRkmsYhnsd1HpTU2A==
-----END CERTIFICATE-----
`,
  key: `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgkHJ3akLz3cmOb0NV
jYask0UjSF8ohjeftsTnusYJS8mhRANCAAQ9Ah08yK9gDg3wfczK3iZDaCVF4JXM
sK5sf5GD5oNC9h/jI6qRKfz5LQ/VNgJBZHrpa3nBWEJA0YqFboOAL4Lr
-----END PRIVATE KEY-----
`,
};
