/**
 * Runs the TypeScript sources in a child process (`node -r ./tests/support/swc-register.js
 * backend/src/worker.ts`), compiled by swc as the Jest transform does (decorator metadata is
 * needed by Nest's injection, which tsx/esbuild does not emit). Used by tests that SIGKILL a
 * real worker process.
 */
const Module = require('node:module');
const fs = require('node:fs');
const { transformSync } = require('@swc/core');

const options = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

Module._extensions['.ts'] = function compile(module, filename) {
  const { code } = transformSync(fs.readFileSync(filename, 'utf8'), { ...options, filename });
  module._compile(code, filename);
};

// The generated Prisma client imports its own .ts files as './x.js'.
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, parent, ...rest) {
  try {
    return resolve.call(this, request, parent, ...rest);
  } catch (err) {
    if (/^\.{1,2}\/.*\.js$/.test(request))
      return resolve.call(this, request.replace(/\.js$/, '.ts'), parent, ...rest);
    throw err;
  }
};
