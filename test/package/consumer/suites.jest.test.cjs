'use strict';
/* global describe, test, beforeEach, afterEach */
require('./suites.cjs').register({ describe, test, beforeEach, afterEach }, process.env.BROKEN === '1');
