'use strict';
const main = require('clef-agent');
const ports = require('clef-agent/ports');
const testing = require('clef-agent/testing');

async function report() {
  // An error raised inside the package is the AgentError every entry point exports.
  const failure = await new testing.MemorySource().fetch({ signal: new AbortController().signal }).catch((e) => e);
  return {
    main: Object.keys(main).sort(),
    ports: Object.keys(ports).sort(),
    testing: Object.keys(testing).sort(),
    sameAgentError: main.AgentError === ports.AgentError && failure instanceof main.AgentError,
    failureCode: failure.code,
    sourceSymbol: String(ports.ArtifactSource),
    version: main.AGENT_VERSION,
  };
}

report().then((r) => process.stdout.write(JSON.stringify(r)));
