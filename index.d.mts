// Types of flowdb as an ES module (lib/index.mjs): the same declarations as
// index.d.ts, which types the CommonJS entry point, re-exported; the default
// export is the CommonJS module object, as lib/index.mjs exports it.

/// <reference types="node" />

export * from './index.js'
import flowdb from './index.js'
export default flowdb
