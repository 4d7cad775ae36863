'use strict';
/**
 * TEST-ONLY `--require` preload (never part of the product): sends connections for
 * `*.vault.azure.net` / `*.managedhsm.azure.net` to the loopback Key Vault fake.
 *
 * The Azure SDK needs a real Key Vault host name: the agent only accepts keyIds on Azure
 * Key Vault domains, and the SDK verifies that the token challenge's resource matches the
 * vault's domain. So instead of weakening either check, the test process resolves those
 * names to 127.0.0.1 (dns.lookup) and maps their port 443 to the fake's port (tls.connect).
 * The TLS handshake still verifies the certificate for the vault name, trusted through
 * NODE_EXTRA_CA_CERTS in a child process, or the `ca` given to install() in-process.
 *
 * As a preload: NODE_OPTIONS="--require <this file>" with CLEF_TEST_AZURE_VAULT_PORT=<port>.
 */
const dns = require('node:dns');
const tls = require('node:tls');

const VAULT_HOST = /^[a-z0-9-]+\.(vault|managedhsm)\.azure\.net\.?$/i;
let target;
let restore;

function install({ port, ca }) {
  target = { port: Number(port), ca };
  if (restore) return;
  const lookup = dns.lookup;
  const patchedLookup = function (hostname, options, callback) {
    if (typeof hostname === 'string' && VAULT_HOST.test(hostname)) {
      const cb = typeof options === 'function' ? options : callback;
      const all = typeof options === 'object' && options !== null && options.all;
      process.nextTick(() => (all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4)));
      return {};
    }
    return lookup.apply(this, arguments);
  };
  dns.lookup = patchedLookup;
  const connect = tls.connect;
  restore = () => {
    dns.lookup = lookup;
    tls.connect = connect;
    restore = undefined;
  };
  tls.connect = function (options, ...rest) {
    if (options !== null && typeof options === 'object' && typeof options.host === 'string' && VAULT_HOST.test(options.host) && (options.port === undefined || Number(options.port) === 443)) {
      const redirected = { ...options, port: target.port, servername: options.servername || options.host };
      if (target.ca) redirected.ca = [...tls.rootCertificates, target.ca];
      return connect.call(this, redirected, ...rest);
    }
    return connect.call(this, options, ...rest);
  };
}

/** Undoes install() (in-process tests: core modules outlive a jest test file). */
function uninstall() {
  restore?.();
}

module.exports = { install, uninstall, VAULT_HOST };

if (process.env.CLEF_TEST_AZURE_VAULT_PORT) install({ port: process.env.CLEF_TEST_AZURE_VAULT_PORT });
