// Types of flowdb/auto as an ES module (lib/indexeddb/auto.mjs): it installs
// the IndexedDB globals, typed by the standard DOM declarations (auto.d.ts).

/// <reference lib="dom" />

export {}
