'use strict';
/**
 * Test-only preload (`NODE_OPTIONS=--require <this file>`), never part of the product:
 * TLS connections to `*.amazonaws.com` go to 127.0.0.1:$CLEF_TEST_AMAZONAWS_TLS_PORT (the
 * loopback fake S3) instead of the Internet. Only the socket's destination changes: SNI
 * and certificate verification still use the real AWS name, so the agent runs its
 * ordinary https path (the certificate is trusted via NODE_EXTRA_CA_CERTS).
 */
const tls = require('node:tls');

const port = Number(process.env.CLEF_TEST_AMAZONAWS_TLS_PORT);
if (!Number.isInteger(port) || port <= 0) throw new Error('amazonaws-loopback preload: CLEF_TEST_AMAZONAWS_TLS_PORT is not set');
const connect = tls.connect;

tls.connect = function connectToLoopback(...args) {
  const options = args[0];
  if (options !== null && typeof options === 'object') {
    const host = String(options.host || options.servername || '');
    if (/(^|\.)amazonaws\.com\.?$/i.test(host)) {
      args[0] = { ...options, host: '127.0.0.1', port, servername: options.servername || host };
    }
  }
  return connect.apply(this, args);
};
