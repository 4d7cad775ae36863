/**
 * Self-signed certificate for the S3 names the https-form process tests use
 * (s3.eu-west-1.amazonaws.com, s3.us-east-1.amazonaws.com, s3.amazonaws.com and one level
 * of subdomains of each), valid to 2126. Test-only key material that protects nothing: the
 * agent trusts it only through NODE_EXTRA_CA_CERTS in the test's child process, and
 * reaches the fake only through test/support/preload/amazonaws-loopback.js.
 */
export const AMAZONAWS_TLS = {
  cert: `
-----BEGIN CERTIFICATE-----
MIICSzCCAfGgAwIBAgIUTZQQCmkOWyzDbr2W9EBfFIzbU3cwCgYIKoZIzj0EAwIw
JTEjMCEGA1UEAwwaczMuZXUtd2VzdC0xLmFtYXpvbmF3cy5jb20wIBcNMjYxMjA1
MDEzOTI3WhgPMjEyNjExMTEwMTM5MjdaMCUxIzAhBgNVBAMMGnMzLmV1LXdlc3Qt
MS5hbWF6b25hd3MuY29tMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEStBC/kPW
nLbXmt5rp2wVLTAAeKIKyv1ZNrvERWh59ECoruR1HKcM0U7GvQJsVmtNdH6VASHL
h+JjK8PLgHNJsaOB/DCB+TAdBgNVHQ4EFgQUjVOrYvFl+onASlNQLWgw5JFvrf4w
HwYDVR0jBBgwFoAUjVOrYvFl+onASlNQLWgw5JFvrf4wDwYDVR0TAQH/BAUwAwEB
/zCBpQYDVR0RBIGdMIGaghpzMy5ldS13ZXN0LTEuYW1hem9uYXdzLmNvbYIcKi5z
My5ldS13ZXN0LTEuYW1hem9uYXdzLmNvbYIaczMudXMtZWFzdC0xLmFtYXpvbmF3
cy5jb22CHCouczMudXMtZWFzdC0xLmFtYXpvbmF3cy5jb22CEHMzLmFtYXpvbmF3
cy5jb22CEiouczMuYW1hem9uYXdzLmNvbTAKBggqhkjOPQQDAgNIADBFAiA/0Ay4
Qv37BZuKnYp7sDjqI7xw72aqB+OzC+oLy+yUXAIhAOzzaKFYMpWO0rzFQnDYzuaW
Oak8nL92+rM/VDmmj7Ln
-----END CERTIFICATE-----
`,
  key: `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPPaRZkNPmtoAGXsm
g+nvfOZ3UfXw7Y2EpGeryDAPRS+hRANCAARK0EL+Q9acttea3munbBUtMAB4ogrK
/Vk2u8RFaHn0QKiu5HUcpwzRTsa9AmxWa010fpUBIcuH4mMrw8uAc0mx
-----END PRIVATE KEY-----
`,
};
