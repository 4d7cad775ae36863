'use strict';
require('./suites.cjs').register(require('node:test'), process.env.BROKEN === '1');
