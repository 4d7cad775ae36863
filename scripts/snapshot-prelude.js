'use strict';
/*
 * Prelude of the snapshot entry (scripts/build-snapshot.js puts the agent's esbuild bundle,
 * src/app/snapshot-main.ts, in the function at the end). Node 20's snapshot
 * builder runs one CommonJS script whose `require` loads built-ins only, and some built-ins
 * cannot be in a snapshot at all: node:http holds its native parser binding, which V8
 * aborts on. This prelude gives the bundle a `require` that
 *  - defers those built-ins (DEFERRED): the bundle gets a stand-in whose functions forward
 *    to the real module and whose data properties are the build node's own values
 *    (http.METHODS, http.STATUS_CODES); anything else touched while building fails the build
 *    by name, so nothing is silently frozen with a build-time value. Once the snapshot is
 *    started (`__clefAgentSnapshotLive`) every access goes to the real module.
 *  - loads the optional-SDK chunks (./kms.js ...) from the directory of the blob, as the
 *    launcher would from its lib directory.
 * The tables below are written by build-snapshot.js from the node that builds the snapshot,
 * which is the node that runs it (node refuses a blob from any other build).
 */
const DEFERRED = __CLEF_AGENT_DEFERRED__; // module -> its export names
const FUNCTIONS = __CLEF_AGENT_FUNCTIONS__; // module -> names of its function exports
const CONSTANTS = __CLEF_AGENT_CONSTANTS__; // module -> { name: value } safe to read while building
const builtinRequire = require;
let live = false;

globalThis.__clefAgentSnapshotLive = () => {
  live = true;
  delete globalThis.__clefAgentSnapshotLive;
};

function deferred(id) {
  let real;
  const load = (name) => {
    if (!live) throw new Error(`snapshot build: node:${id}.${String(name)} was used while building; defer the code that uses it`);
    return (real ??= builtinRequire(id));
  };
  const forwarders = new Map();
  return new Proxy(Object.create(null), {
    get(_, name) {
      if (live) return load(name)[name];
      if (CONSTANTS[id] && Object.prototype.hasOwnProperty.call(CONSTANTS[id], name)) return CONSTANTS[id][name];
      if (!FUNCTIONS[id].includes(name)) return load(name)[name];
      if (!forwarders.has(name)) {
        forwarders.set(name, function forward(...args) {
          const fn = load(name)[name];
          return new.target ? Reflect.construct(fn, args, new.target) : Reflect.apply(fn, this, args);
        });
      }
      return forwarders.get(name);
    },
    has: (_, name) => (live ? name in load(name) : DEFERRED[id].includes(name)),
    ownKeys: () => (live ? Reflect.ownKeys(load('ownKeys')) : [...DEFERRED[id]]),
    getOwnPropertyDescriptor(_, name) {
      if (!live) return DEFERRED[id].includes(name) ? { value: undefined, writable: true, enumerable: true, configurable: true } : undefined;
      const d = Reflect.getOwnPropertyDescriptor(load(name), name);
      if (d) d.configurable = true; // a proxy may not report a non-configurable property its target lacks
      return d;
    },
  });
}

let chunkRequire;
function agentRequire(id) {
  if (id.startsWith('./')) {
    if (!live) throw new Error(`snapshot build: ${id} was required while building`);
    if (!chunkRequire) {
      const flag = process.execArgv.findIndex((a) => a === '--snapshot-blob' || a.startsWith('--snapshot-blob='));
      const blob = flag < 0 ? undefined : process.execArgv[flag].includes('=') ? process.execArgv[flag].slice('--snapshot-blob='.length) : process.execArgv[flag + 1];
      if (!blob) throw new Error(`cannot load ${id}: no --snapshot-blob to locate it by`);
      const path = builtinRequire('path');
      chunkRequire = builtinRequire('module').createRequire(path.join(path.dirname(path.resolve(blob)), 'main.js'));
    }
    return chunkRequire(id);
  }
  const bare = id.startsWith('node:') ? id.slice(5) : id;
  return Object.prototype.hasOwnProperty.call(DEFERRED, bare) ? deferred(bare) : builtinRequire(id);
}

(function (require) {
__CLEF_AGENT_BODY__
})(agentRequire);
